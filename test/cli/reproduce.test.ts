/**
 * `fer-cnn-lstm reproduce` end to end with the built CLI, on a generated 49-image folder dataset and
 * a tiny recipe with every stage kind: training (legs, kept epochs), distillation, averages, a
 * deepening, and the release of two variants. Then a rerun (every stage skipped), a changed recipe
 * (refused), and bad recipes (one line naming the stage and the key).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { loadModel } from '../../src/model/io.js';
import { scheduledRate } from '../../src/training/schedule.js';
import type { CheckpointState } from '../../src/training/checkpoint.js';
import { tinyRecipe, writeTinyFer } from '../training/recipe-fixtures.js';
import { collect, lines, runCli, spawnCli } from './run-cli.js';

let dir: string;
let data: string;
let recipeFile: string;
const write = (name: string, value: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(value));
  return f;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fer-reproduce-'));
  data = writeTinyFer(join(dir, 'fer'));
  recipeFile = write('recipe.json', tinyRecipe());
  await setBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fer-cnn-lstm reproduce', () => {
  let first: Awaited<ReturnType<typeof runCli>>;
  const out = () => join(dir, 'out');

  it('replays every stage from the images to <out>/weights', async () => {
    first = await runCli(['reproduce', '--recipe', recipeFile, '--data', data, '--out', out()]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const stage of ['a', 'b', 'soup', 'deep', 'c', 'd', 'final']) expect(first.stdout).toMatch(new RegExp(`^stage ${stage} `, 'm'));
    // kept epochs, averages, the deepening
    for (const f of ['a/epoch-1', 'a/epoch-2', 'b/epoch-1', 'c/epoch-1', 'd/epoch-1', 'soup', 'deep', 'final']) {
      expect(existsSync(join(out(), 'stages', f, 'model.json')), f).toBe(true);
    }
    // the release: the package's weights/ layout, and the second variant inside it
    for (const f of ['model.json', 'weights.bin', 'metadata.json', 'float16/model.json', 'uint8/model.json', 'accurate/model.json', 'accurate/metadata.json']) {
      expect(existsSync(join(out(), 'weights', f)), f).toBe(true);
    }
  }, 120_000);

  it('trained stage a in two legs: epoch 1 under the 3-epoch cosine, epoch 2 under the 2-epoch one', () => {
    const state = JSON.parse(readFileSync(join(out(), 'stages', 'a', 'checkpoint.json'), 'utf8')) as CheckpointState;
    expect(state.history.map((h) => h.epoch)).toEqual([1, 2]);
    const steps = Math.ceil(35 / 16);
    const schedule = { type: 'cosine', minLr: 0.001 } as const;
    expect(state.history[0].learningRate).toBeCloseTo(scheduledRate(schedule, 0.01, steps - 1, 3 * steps, steps), 8);
    expect(state.history[1].learningRate).toBeCloseTo(scheduledRate(schedule, 0.01, 2 * steps - 1, 2 * steps, steps), 8);
  });

  it('distilled c and d from their teachers (targets cached in the stage folder)', () => {
    for (const s of ['c', 'd']) {
      const state = JSON.parse(readFileSync(join(out(), 'stages', s, 'checkpoint.json'), 'utf8')) as CheckpointState;
      expect((state.config?.teacher as { weights: string }).weights).toBe(s === 'c' ? 'soup' : 'c/epoch-1');
      expect(existsSync(join(out(), 'stages', s, 'teacher-targets.bin'))).toBe(true);
    }
  });

  it('deepened soup (more layers) and averaged soup with d/epoch-1 into final, released with a temperature', async () => {
    const [soup, deep, d, released] = await Promise.all(['stages/soup', 'stages/deep', 'stages/d/epoch-1', 'weights'].map((f) => loadModel(join(out(), f))));
    expect(deep.layers.length).toBeGreaterThan(soup.layers.length);
    // every weight of the release but the classifier's (the temperature divides it) is the mean of soup and d/epoch-1
    const meta = JSON.parse(readFileSync(join(out(), 'weights', 'metadata.json'), 'utf8')) as { calibration: { temperature: number }; publicTestAccuracy: number; stage: string };
    expect(meta.stage).toBe('final');
    expect(meta.calibration.temperature).toBeGreaterThan(0);
    expect(meta.publicTestAccuracy).toBeGreaterThanOrEqual(0);
    const kernel = (m: typeof soup) => m.getLayer('stem_conv').getWeights()[0].dataSync();
    const [ks, kd, kr] = [kernel(soup), kernel(d), kernel(released)];
    for (let i = 0; i < ks.length; i++) expect(kr[i]).toBeCloseTo((ks[i] + kd[i]) / 2, 6);
    for (const m of [soup, deep, d, released]) m.dispose();
  });

  it('a rerun skips every finished stage and releases again', async () => {
    const again = await runCli(['reproduce', '--recipe', recipeFile, '--data', data, '--out', out()]);
    expect(again.code).toBe(0);
    expect(lines(again.stdout).filter((l) => l.includes('done before, skipped'))).toHaveLength(7);
    expect(again.stdout).not.toMatch(/epoch \d+\/\d+, loss/);
  }, 60_000);

  it('refuses a stage folder made by another definition of a stage it depends on', async () => {
    const changed = tinyRecipe() as { stages: { train?: { seed?: number } }[] };
    changed.stages[1].train!.seed = 99;
    const r = await runCli(['reproduce', '--recipe', write('changed.json', changed), '--data', data, '--out', out()]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/stages[/\\]b: made by another definition of stage "b"/);
  }, 60_000);

  /** A recipe's stages, loosely typed so that the tests can break them. */
  type Stages = Record<string, Record<string, unknown> & { train: Record<string, unknown>; teacher: Record<string, unknown>; average: string[] }>;
  it.each([
    ['an unknown train key', (s: Stages) => { s[1].train.learningRte = 1; }, /stage "b": unknown key "train\.learningRte"/],
    ['a training stage named without its epoch', (s: Stages) => { s[1].from = 'a'; }, /stage "b": "from": "a" is a training stage: name the epoch, "a\/epoch-N" with N in its keepEpochs \(1, 2\)/],
    ['an epoch that is not kept', (s: Stages) => { s[2].average[0] = 'a/epoch-3'; }, /stage "soup": "average\[0\]": "a\/epoch-3": epoch 3 is not in stage "a"'s keepEpochs/],
    ['a later stage', (s: Stages) => { s[1].from = 'soup'; }, /stage "b": "from": "soup" is not an earlier stage \(known: a\)/],
    ['a bad teacher weight', (s: Stages) => { s[4].teacher.weight = 2; }, /stage "c": "teacher.weight" must be a number in \(0, 1\], got 2/],
    ['a keepEpochs past the run', (s: Stages) => { s[0].keepEpochs = [5]; }, /stage "a": "keepEpochs": 5 is not an epoch of this run \(integers 1 to 2\)/],
    ['a last leg short of the epochs', (s: Stages) => { s[0].legs = [{ epochs: 3, stopAfter: 1 }]; }, /stage "a": "legs\[0\]": the last leg must run to "train.epochs" \(2\)/],
    ['bad augmentation', (s: Stages) => { s[1].train.augment = { rotation: -5 }; }, /stage "b": "train.augment": /],
  ])('refuses %s with one line naming the stage and the key, before loading the data', async (_, edit, message) => {
    const recipe = tinyRecipe() as { stages: unknown };
    edit(recipe.stages as Stages);
    const r = await runCli(['reproduce', '--recipe', write('bad.json', recipe), '--data', join(dir, 'missing'), '--out', join(dir, 'bad-out')]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^fer-cnn-lstm: .*bad\.json: /);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'bad-out'))).toBe(false);
  }, 30_000);

  it('stops on Ctrl-C with exit code 130 and the command that continues; that command finishes the replay', async () => {
    const args = ['reproduce', '--recipe', recipeFile, '--data', data, '--out', join(dir, 'ctrl-c')];
    const child = spawnCli(args);
    child.stdout!.on('data', (d: Buffer) => { if (/^stage a: epoch 1\//m.test(d.toString())) child.kill('SIGINT'); });
    const stopped = await collect(child);
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('fer-cnn-lstm: interrupted; the same command continues: fer-cnn-lstm reproduce --recipe');
    expect(existsSync(join(dir, 'ctrl-c', 'weights'))).toBe(false);
    const resumed = await runCli(args);
    expect(resumed.code).toBe(0);
    // the interrupted stage resumes (or, had the signal come late, the finished ones are skipped)
    expect(resumed.stdout).toMatch(/resuming after epoch \d+ of \d+|done before, skipped/);
    expect(existsSync(join(dir, 'ctrl-c', 'weights', 'model.json'))).toBe(true);
  }, 120_000);
});
