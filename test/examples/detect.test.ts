/**
 * Runs `examples/detect.ts` (detectEmotions on `examples/images/astronaut.png`) as a child
 * process through tsx, with a small emotion model of our own and, when present, the shipped weights.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { EMOTIONS } from '../../src/emotions.js';
import { buildCnnLstm } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HAS_WEIGHTS = existsSync(join(ROOT, 'weights', 'model.json'));
const TIMEOUT = 180_000;

interface Run { code: number | null; stdout: string; stderr: string }

function runDetect(args: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples', 'detect.ts'), ...args], {
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

/** One face, its box around the astronaut's face (the FER crop is x 162–291, y 62–191), an emotion and 7 scores. */
function checkDetect(r: Run): void {
  if (r.code !== 0) throw new Error(`exit code ${r.code}\n--- stdout\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-2000)}`);
  expect(r.stdout).toMatch(/^faces: 1$/m);
  const m = r.stdout.match(/^face 1: box x=(\d+) y=(\d+) width=(\d+) height=(\d+) \(face score (0\.\d\d|1\.00)\)$/m);
  expect(m).not.toBeNull();
  const [x, y, w, h] = m!.slice(1, 5).map(Number);
  expect(x).toBeGreaterThan(162);
  expect(y).toBeGreaterThan(62);
  expect(x + w).toBeLessThan(292);
  expect(y + h).toBeLessThan(192);
  expect(r.stdout).toMatch(new RegExp(`^ {2}emotion: (${EMOTIONS.join('|')}) \\((0\\.\\d{3}|1\\.000)\\)$`, 'm'));
  for (const e of EMOTIONS) expect(r.stdout).toMatch(new RegExp(`^ {4}${e} +\\d\\.\\d{3}`, 'm'));
}

let dir: string;
let tinyModel: string;

beforeAll(async () => {
  await setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fer-detect-example-'));
  tinyModel = join(dir, 'tiny');
  const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  await saveModel(model, tinyModel);
  model.dispose();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('examples/detect.ts', () => {
  it('finds the astronaut\'s face and prints its emotion (a model folder of our own)', async () => checkDetect(await runDetect([tinyModel])), TIMEOUT);

  it.skipIf(!HAS_WEIGHTS)(HAS_WEIGHTS ? 'runs as written, with the shipped weights' : 'runs as written, with the shipped weights (skipped: weights/model.json is absent)',
    async () => checkDetect(await runDetect()), TIMEOUT);

  it.skipIf(HAS_WEIGHTS)('exits with 1 and says the weights are missing', async () => {
    const r = await runDetect();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The shipped weights (weights/model.json) are missing');
  }, TIMEOUT);
});
