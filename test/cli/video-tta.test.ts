/**
 * `fer-cnn-lstm video` answers with the model's own test-time augmentation, as `predict` does:
 * the classifier decides it (here the `accurate` variant's flip), `--tta` / `--no-tta` override it.
 * Needs ffmpeg (skipped with a message where it is absent).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';
import { HAS_FFMPEG, makeTestVideo } from '../video/make-video.js';

let dir: string;
let video: string;

beforeAll(() => {
  dir = tempDir();
  if (HAS_FFMPEG) video = makeTestVideo(dir);
});

/** The raw scores of every row of a timeline CSV. */
function rawScores(file: string): number[][] {
  const [head, ...rows] = lines(readFileSync(file, 'utf8'));
  const cols = head.split(',');
  return rows.map((row) => {
    const v = Object.fromEntries(row.split(',').map((x, j) => [cols[j], x]));
    return EMOTIONS.map((e) => Number(v[`raw_${e}`]));
  });
}

describe.skipIf(!HAS_FFMPEG)('fer-cnn-lstm video: the model\'s own TTA', () => {
  it('without --tta/--no-tta the variant\'s own (accurate: flip); --no-tta one view', async () => {
    const run = async (name: string, extra: string[]) => {
      const out = join(dir, `${name}.csv`);
      const r = await runCli(['video', video, '--crop', '--fps', '2', '--variant', 'accurate', '--out', out, ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return rawScores(out);
    };
    const own = await run('own', []);
    const flip = await run('flip', ['--tta']);
    const one = await run('one', ['--no-tta']);
    expect(own.length).toBeGreaterThan(0);
    expect(own).toEqual(flip);
    expect(own.some((row, i) => row.some((p, k) => Math.abs(p - one[i][k]) > 1e-3))).toBe(true);
  }, 120_000);

  it('--tta with --no-tta, or --variant with --weights, is a usage error before any work', async () => {
    const both = await runCli(['video', video, '--tta', '--no-tta']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--tta and --no-tta contradict each other/);
    const mixed = await runCli(['video', video, '--variant', 'accurate', '--weights', dir]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--variant selects one of the shipped models/);
  });
});
