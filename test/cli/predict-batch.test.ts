/**
 * `predict <folder> --out …`: batch mode on worker threads — rows streamed to CSV or JSON lines,
 * a bad file is a row with its error (exit code 1), --recursive, --resume after an interrupted run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { csvHeader } from '../../src/batch/output.js';
import { gray, jpg, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { cliFromSources, collect, lines, preloadFailingInWorkers, runCli, spawnCli } from './run-cli.js';

if (cliFromSources()) console.warn('skipping the test of the Node flags that workers inherit: it needs the built CLI (npm run build; the CLI runs from the sources now)');

let dir: string;
let model: string;
let folder: string;

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  folder = join(dir, 'photos');
  for (let i = 0; i < 6; i++) put(folder, `f${i}.${i % 2 ? 'jpg' : 'png'}`, i % 2 ? jpg(gray(i)) : png(gray(i)));
  put(folder, 'f2-broken.png', 'not an image');
  put(folder, 'readme.txt', 'ignored: not an image name');
  put(folder, 'sub/g0.png', png(gray(9)));
});

/** Parses simple CSV (no quotes in these paths). */
function csv(text: string): Record<string, string>[] {
  const [head, ...rows] = lines(text);
  const cols = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

describe('fer-cnn-lstm predict <folder> (batch mode)', () => {
  it('--out x.csv: one row per image with scores, status and error; a bad file is a row, exit code 1', async () => {
    const out = join(dir, 'r.csv');
    const r = await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr).at(-1)).toMatch(/^7\/7 files \(100%\)  [\d.]+ files\/s  \d+s  1 failed$/);
    const text = readFileSync(out, 'utf8');
    expect(lines(text)[0]).toBe(csvHeader(false).join(','));
    const rows = csv(text);
    expect(rows.map((row) => row.file)).toEqual(['f0.png', 'f1.jpg', 'f2-broken.png', 'f2.png', 'f3.jpg', 'f4.png', 'f5.jpg'].map((f) => join(folder, f)));
    for (const row of rows) {
      if (row.file.endsWith('broken.png')) {
        expect(row.status).toBe('error');
        expect(row.error).toContain('f2-broken.png');
        expect(row.emotion).toBe('');
        continue;
      }
      expect(row.status).toBe('ok');
      expect(EMOTIONS).toContain(row.emotion);
      const s = EMOTIONS.map((e) => Number(row[e]));
      expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(Number(row.confidence)).toBe(Math.max(...s));
    }
  });

  it.skipIf(cliFromSources())("workers start without the parent's Node flags (a --require that fails in worker threads)", async () => {
    // a loader or preload of the user's process (tsx's, say) is not for the workers: they run built code
    const preload = preloadFailingInWorkers(dir);
    const out = join(dir, 'flags.jsonl');
    const r = await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '2'], { nodeArgs: ['--require', preload] });
    expect(r.stderr).not.toMatch(/ran in a worker/);
    expect(r.code).toBe(1); // the broken file
    const rows = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l));
    expect(rows.filter((o) => o.status === 'ok')).toHaveLength(6);
  });

  it('--recursive --out x.jsonl: subfolders too, JSON lines; only good files: exit code 0', async () => {
    const out = join(dir, 'r.jsonl');
    const r = await runCli(['predict', join(folder, 'sub'), join(folder, 'f0.png'), '--weights', model, '--out', out, '--recursive', '--workers', '1']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const rows = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l));
    expect(rows.map((o) => o.file)).toEqual([join(folder, 'sub/g0.png'), join(folder, 'f0.png')]);
    expect(Object.keys(rows[0]).sort()).toEqual(['confidence', 'emotion', 'file', 'scores', 'status']);
  });

  it('--resume continues an interrupted output (cut-off last line): every file once, as a full run gives it', async () => {
    const full = join(dir, 'full.csv');
    expect((await runCli(['predict', folder, '--recursive', '--weights', model, '--out', full, '--workers', '1'])).code).toBe(1);
    const fullText = readFileSync(full, 'utf8');
    const all = lines(fullText);
    const partial = join(dir, 'partial.csv');
    // header, 3 rows, and half of the 4th row: as if killed while writing
    writeFileSync(partial, all.slice(0, 4).join('\n') + '\n' + all[4].slice(0, 30));
    const r = await runCli(['predict', folder, '--recursive', '--weights', model, '--out', partial, '--resume', '--workers', '1']);
    expect(r.code).toBe(1); // the broken file is still in the output
    expect(lines(r.stderr).at(-1)).toMatch(/^8\/8 files .* 2 skipped \(already in the output\)$/);
    const resumed = csv(readFileSync(partial, 'utf8'));
    const expected = csv(fullText);
    expect(resumed.map((row) => row.file)).toEqual(expected.map((row) => row.file));
    resumed.forEach((row, i) => {
      expect(row.emotion).toBe(expected[i].emotion);
      expect(row.status).toBe(expected[i].status);
      for (const e of EMOTIONS) if (row[e] !== '') expect(Number(row[e])).toBeCloseTo(Number(expected[i][e]), 6);
    });
    // nothing left: a second --resume adds nothing but redoes the last file
    const again = await runCli(['predict', folder, '--recursive', '--weights', model, '--out', partial, '--resume', '--workers', '1']);
    expect(again.code).toBe(0);
    expect(csv(readFileSync(partial, 'utf8')).map((row) => row.file)).toEqual(expected.map((row) => row.file));
  });

  it('Ctrl-C (SIGINT) keeps every finished row and exits 130; --resume then does the rest, each file once', async () => {
    const many = join(dir, 'many');
    const bytes = png(gray(3));
    for (let i = 0; i < 600; i++) put(many, `img${String(i).padStart(4, '0')}.png`, bytes);
    const out = join(dir, 'many.jsonl');
    const child = spawnCli(['predict', many, '--weights', model, '--out', out, '--workers', '1', '--batch-size', '1']);
    const done = collect(child);
    // interrupt once some rows are out
    for (let t = 0; t < 4500; t++) { // up to 90 s: the worker's start is slow on a busy machine
      if (existsSync(out) && lines(readFileSync(out, 'utf8')).length >= 20) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted after \d+ files; continue with the same command and --resume/);
    const before = lines(readFileSync(out, 'utf8')).length;
    expect(before).toBeGreaterThanOrEqual(20);
    expect(before).toBeLessThan(600);
    const again = await runCli(['predict', many, '--weights', model, '--out', out, '--workers', '1', '--resume']);
    expect(again.code).toBe(0);
    const files = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l).file as string);
    expect(files).toHaveLength(600);
    expect(new Set(files).size).toBe(600);
    expect(files).toEqual([...files].sort());
  }, 240_000);

  it('--faces: one row per face with its box', async () => {
    const out = join(dir, 'faces.jsonl');
    const r = await runCli(['predict', 'examples/images', '--faces', '--weights', model, '--out', out, '--workers', '1']);
    expect(r.code).toBe(0);
    const rows = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l));
    expect(rows.map((o) => o.file)).toEqual([join('examples/images', 'astronaut-face.png'), join('examples/images', 'astronaut.png')]);
    const photo = rows[1];
    expect(photo).toMatchObject({ face: 1, status: 'ok' });
    expect(photo.box.width).toBeGreaterThan(50);
    expect(photo.faceScore).toBeGreaterThan(0.5);
    expect(Object.keys(photo.scores)).toEqual([...EMOTIONS]);
  });

  it('usage errors: --resume without --out, --workers 0, a CSV of other columns', async () => {
    const r1 = await runCli(['predict', folder, '--resume']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--resume needs --out/);
    const r2 = await runCli(['predict', folder, '--workers', '0', '--out', join(dir, 'x.csv')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--workers must be an integer in 1–1024/);
    const other = join(dir, 'faces.csv');
    writeFileSync(other, csvHeader(true).join(',') + '\n');
    const r3 = await runCli(['predict', folder, '--weights', model, '--out', other, '--resume']);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/faces\.csv: its CSV header is/);
  });
});
