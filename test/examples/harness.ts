/**
 * Shared by the example tests: runs `examples/<name>.ts` as a child process through tsx, and
 * provides a tiny saved emotion model so the examples can run without the shipped weights.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HAS_WEIGHTS = existsSync(join(ROOT, 'weights', 'model.json'));
export const TIMEOUT = 180_000;

/** What an example printed and how it exited. */
export interface Run { code: number | null; stdout: string; stderr: string }

/** Runs `examples/<name>.ts` with tsx and collects its output. */
export function runExample(name: string, args: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', `${name}.ts`), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** Fails with the example's output (trimmed) when it did not exit with 0. */
export function expectSuccess(r: Run): void {
  if (r.code !== 0) throw new Error(`exit code ${r.code}\n--- stdout\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-2000)}`);
}

/**
 * Saves a tiny untrained CNN-LSTM to a temporary folder before the file's tests and removes it
 * after; returns a getter for the folder's path.
 */
export function useTinyModel(): () => string {
  let dir = '';
  beforeAll(async () => {
    await setBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'fer-examples-'));
    const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
    await saveModel(model, join(dir, 'tiny'));
    model.dispose();
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  return () => join(dir, 'tiny');
}
