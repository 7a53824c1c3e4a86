/**
 * The CLI `worker` answers as `predict` does: the shipped model with its own test-time
 * augmentation (the mirror where the first view is unsure), not one view; and it prints the id of
 * its model, which the jobs it answers carry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gray, png } from '../cli/fixtures.js';
import { ROOT, spawnCli } from '../cli/run-cli.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { emotionClassifierId } from '../../src/inference/classifier.js';
import { collectResults, enqueueImages } from '../../src/queue/producer.js';
import { EMOTIONS } from '../../src/emotions.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis-server.js';

const noRedis = redisUnavailable();
const noWeights = existsSync(join(ROOT, 'weights/model.json')) ? undefined : 'the shipped weights (weights/model.json) are not there';
const skip = noRedis ?? noWeights;
if (skip) console.warn(`skipping the CLI worker model test: ${skip}`);

describe.skipIf(skip !== undefined)('fer-cnn-lstm worker (shipped model)', () => {
  let redis: TestRedis;
  let child: ReturnType<typeof spawnCli> | undefined;
  let stderr = '';
  const queue = 'fer-test-worker-model';

  beforeAll(async () => {
    redis = (await startRedis())!;
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await redis?.stop();
  });

  it('answers a job without tta as predict does: with the default model\'s auto TTA, not one view', async () => {
    child = spawnCli(['worker', '--redis', redis.url, '--queue', queue, '--quiet', '--name', 'w']);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const id = await emotionClassifierId();
    // an image the model is unsure of (top probability below 0.5): 'auto' adds its mirror, and changes the label
    const image = png(gray(27));
    const [job] = await enqueueImages([{ bytes: image, name: 'unsure.png' }], { connection: redis.url, queue });
    let outcome;
    for await (const o of collectResults([job.jobId], { connection: redis.url, queue, timeoutMs: 120_000, pollMs: 200 })) outcome = o;
    expect(outcome?.ok, JSON.stringify(outcome)).toBe(true);
    if (!outcome?.ok || 'faces' in outcome.result || 'noFace' in outcome.result) throw new Error('expected a classification');
    expect(stderr).toContain(`model ${id}`);
    const predicted = await classifyEmotion(image);
    const oneView = await classifyEmotion(image, { tta: false });
    expect(oneView.confidence).toBeLessThan(0.5);
    for (const e of EMOTIONS) expect(outcome.result.scores[e]).toBeCloseTo(predicted.scores[e], 5);
    expect(outcome.result.emotion).toBe(predicted.emotion);
    expect(EMOTIONS.some((e) => Math.abs(outcome.result.scores[e] - oneView.scores[e]) > 1e-3)).toBe(true);
  }, 180_000);
});
