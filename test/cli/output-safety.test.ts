/**
 * Outputs of `predict --out` that lose no work: an output that is one of the inputs is refused
 * before it is opened, a full disk is named (ENOSPC and the file), `--resume` matches rows by
 * resolved path, and a second run on the same output is refused while the first holds its lock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gray, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

let dir: string;
let model: string;
let folder: string;

beforeAll(async () => {
  dir = tempDir('fer-out-safety-');
  model = await saveTinyModel(join(dir, 'model'));
  folder = join(dir, 'photos');
  for (let i = 0; i < 4; i++) put(folder, `f${i}.png`, png(gray(i)));
});

describe('predict --out: nothing lost', () => {
  it('refuses an output that is one of the inputs (same file, another spelling, a file the folder lists) and leaves it intact', async () => {
    const image = join(folder, 'f0.png');
    const before = readFileSync(image);
    for (const [inputs, out] of [
      [[image], image],
      [[image], join(folder, '..', 'photos', 'f0.png')],
      [[folder], join(folder, 'f1.png')],
      [[folder], join(folder, 'new.png')],
    ] as [string[], string][]) {
      const r = await runCli(['predict', ...inputs, '--weights', model, '--out', out, '--workers', '1']);
      expect(r.code, out).toBe(1);
      expect(r.stderr, out).toMatch(/the output is also an input .*give another output file/);
      expect(lines(r.stderr), out).toHaveLength(1);
    }
    expect(readFileSync(image).equals(before)).toBe(true);
    expect(existsSync(join(folder, 'new.png'))).toBe(false);
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk (/dev/full) is named: ENOSPC and the file, exit 1', async () => {
    const r = await runCli(['predict', folder, '--weights', model, '--out', '/dev/full', '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/dev/full: cannot write the output (ENOSPC: no space left on the device)');
    expect(r.stderr).not.toMatch(/Cannot call end|destroyed/);
  });

  it('--resume matches the rows by resolved path: the folder spelled otherwise adds no duplicates', async () => {
    const out = join(dir, 'resumed.jsonl');
    expect((await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '1'])).code).toBe(0);
    const first = lines(readFileSync(out, 'utf8'));
    expect(first).toHaveLength(4);
    const again = await runCli(['predict', relative(process.cwd(), folder), '--weights', model, '--out', out, '--workers', '1', '--resume']);
    expect(again.code).toBe(0);
    // the last file is redone (its rows may have been cut); the three others are skipped
    const rows = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l).file as string);
    expect(rows).toHaveLength(4);
    expect(again.stderr).toMatch(/3 skipped/);
  });

  it('--resume warns when none of the rows in the output is among the inputs', async () => {
    const out = join(dir, 'other.jsonl');
    writeFileSync(out, ['a', 'b', 'c'].map((f) => JSON.stringify({ file: join(dir, 'elsewhere', `${f}.png`), status: 'ok' }) + '\n').join(''));
    const r = await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '1', '--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: none of the 2 files already in .*other\.jsonl is among this run's inputs/);
  });

  it('a second run on the same output is refused while the first holds <out>.lock; a stale lock (its process gone) is taken over', async () => {
    const out = join(dir, 'locked.csv');
    writeFileSync(`${out}.lock`, `${process.pid}\n`); // this test process: alive
    const r = await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`another run \\(process ${process.pid}\\) is writing this output`));
    expect(existsSync(out)).toBe(false);
    writeFileSync(`${out}.lock`, '2147483646\n'); // no such process
    const stale = await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '1']);
    expect(stale.code).toBe(0);
    expect(lines(readFileSync(out, 'utf8'))).toHaveLength(5);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('an empty folder is exit 1 with a message, as enqueue says it', async () => {
    const empty = tempDir('fer-empty-');
    put(empty, 'notes.txt', 'not an image');
    const r = await runCli(['predict', empty, '--weights', model, '--out', join(dir, 'empty.jsonl'), '--workers', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`fer-cnn-lstm: ${empty}: no .jpg, .jpeg or .png files (subfolders are searched with --recursive)`);
  });
});
