/**
 * Runs `examples/detect.ts` (detectEmotions on `examples/images/astronaut.png`) as a child
 * process through tsx, with a small emotion model of our own and, when present, the shipped weights.
 */
import { describe, expect, it } from 'vitest';
import { expectSuccess, HAS_WEIGHTS, runExample, TIMEOUT, useTinyModel, type Run } from './harness.js';
import { EMOTIONS } from '../../src/emotions.js';

const runDetect = (args: string[] = []): Promise<Run> => runExample('detect', args);

/** One face, its box around the astronaut's face (the FER crop is x 162–291, y 62–191), an emotion and 7 scores. */
function checkDetect(r: Run): void {
  expectSuccess(r);
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

const tinyModel = useTinyModel();

describe('examples/detect.ts', () => {
  it('finds the astronaut\'s face and prints its emotion (a model folder of our own)', async () => checkDetect(await runDetect([tinyModel()])), TIMEOUT);

  it.skipIf(!HAS_WEIGHTS)(HAS_WEIGHTS ? 'runs as written, with the shipped weights' : 'runs as written, with the shipped weights (skipped: weights/model.json is absent)',
    async () => checkDetect(await runDetect()), TIMEOUT);

  it.skipIf(HAS_WEIGHTS)('exits with 1 and says the weights are missing', async () => {
    const r = await runDetect();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The shipped weights (weights/model.json) are missing');
  }, TIMEOUT);
});
