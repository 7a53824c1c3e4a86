/**
 * `predict … | head -1`: a reader that closes the pipe early must end the CLI quietly (exit 0,
 * nothing on stderr), as Unix tools do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { gray, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { spawnCli } from './run-cli.js';

let dir: string;
let model: string;
let face: string;

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  face = put(dir, 'a.png', png(gray(3)));
});

describe('a closed stdout', () => {
  it('ends predict with exit 0 and no stack trace when the reader goes away after the first line', async () => {
    // one line per forward pass (--batch-size 1), many of them: the CLI is still writing when the pipe closes
    const child = spawnCli(['predict', ...Array.from({ length: 300 }, () => face), '--weights', model, '--batch-size', '1']);
    let stderr = '';
    let first = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdout!.setEncoding('utf8').once('data', (d: string) => { first = d; child.stdout!.destroy(); });
    const code = await new Promise<number | null>((res, rej) => { child.on('error', rej); child.on('close', (c) => res(c)); });
    expect(first).toMatch(/a\.png: \w+ \d+\.\d%/);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
