/**
 * The `worker` and `enqueue` commands' help and usage errors (no Redis needed; their runs against
 * a real Redis are in cluster.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';
import { tempDir } from '../cli/fixtures.js';

describe('worker and enqueue commands', () => {
  it('are listed in the main help and have their own', async () => {
    const main = await runCli(['--help']);
    expect(main.stdout).toMatch(/^ {2}worker +answer emotion jobs from a BullMQ queue/m);
    expect(main.stdout).toMatch(/^ {2}enqueue +add image jobs to the queue/m);
    const worker = await runCli(['worker', '--help']);
    expect(worker.code).toBe(0);
    expect(worker.stdout).toContain('Usage: fer-cnn-lstm worker --redis <url>');
    expect(worker.stdout).toContain('--lock-duration <ms>');
    expect(worker.stdout).toContain('npm install bullmq ioredis');
    const enqueue = await runCli(['help', 'enqueue']);
    expect(enqueue.code).toBe(0);
    expect(enqueue.stdout).toContain('Usage: fer-cnn-lstm enqueue <folder|image...> --redis <url>');
    expect(enqueue.stdout).toContain('--wait');
  });

  it('reject bad command lines with exit 2 before touching Redis', async () => {
    const cases: [string[], RegExp][] = [
      [['worker'], /--redis is required/],
      [['worker', '--redis', 'localhost:6379'], /--redis: not a Redis URL: "localhost:6379"/],
      [['worker', '--redis', 'redis://127.0.0.1:1', '--concurrency', '0'], /--concurrency must be an integer in 1–1000/],
      [['worker', '--redis', 'redis://127.0.0.1:1', 'extra.png'], /worker takes no file arguments/],
      [['enqueue', '--redis', 'redis://127.0.0.1:1'], /enqueue needs at least one image file or folder/],
      [['enqueue', 'x.png'], /--redis is required/],
      [['enqueue', 'x.png', '--redis', 'redis://127.0.0.1:1', '--out', 'r.jsonl'], /--out needs --wait/],
      [['enqueue', 'x.png', '--redis', 'redis://127.0.0.1:1', '--crop', '--max-faces', '2'], /--max-faces cannot be used with --crop/],
      [['enqueue', 'x.png', '--redis', 'redis://127.0.0.1:1', '--crop', '--faces'], /--crop .* and --faces .* exclude each other/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('enqueue names a missing input and an empty folder (exit 1)', async () => {
    const dir = tempDir('fer-queue-cli-');
    const missing = await runCli(['enqueue', join(dir, 'nope'), '--redis', 'redis://127.0.0.1:1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`fer-cnn-lstm: ${join(dir, 'nope')}: no such file or folder`);
    const empty = await runCli(['enqueue', dir, '--redis', 'redis://127.0.0.1:1']);
    expect(empty.code).toBe(1);
    expect(empty.stderr.trim()).toBe(`fer-cnn-lstm: ${dir}: no .jpg, .jpeg or .png files`);
  });
});
