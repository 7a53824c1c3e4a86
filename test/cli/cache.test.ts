/** Issue 13.7: `fer-cnn-lstm cache` shows where the dataset cache is, `cache clear` empties it. */
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

describe('fer-cnn-lstm cache', () => {
  it('lists the cache folder and its datasets, and clear removes them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'abc123.bin'), Buffer.alloc(1024));
    writeFileSync(join(dir, 'def456.bin'), Buffer.alloc(2048));
    const env = { FER_CNN_LSTM_CACHE: dir };
    const show = await runCli(['cache'], { env });
    expect(show.code).toBe(0);
    expect(lines(show.stdout)[0]).toBe(`cache folder  ${dir}`);
    expect(show.stdout).toMatch(/datasets +2 \(0\.0 MB\); keeps the 4 most recently used/);
    const clear = await runCli(['cache', 'clear'], { env });
    expect(clear.code).toBe(0);
    expect(clear.stdout.trim()).toBe(`removed 2 cached datasets (0.0 MB) from ${dir}`);
    expect(existsSync(join(dir, 'abc123.bin'))).toBe(false);
    const bad = await runCli(['cache', 'purge'], { env });
    expect(bad.code).toBe(2);
  });
});
