/**
 * A decompression bomb through the queue (real Redis): the job fails at once with the reason, and
 * the same worker goes on to answer the next job, its memory bounded (a 1 MB bomb job used to take
 * workers down one after another).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { gray, png, saveTinyModel, tempDir } from '../cli/fixtures.js';
import { collectResults, enqueueImages, type JobOutcome } from '../../src/queue/producer.js';
import { createEmotionWorker } from '../../src/queue/worker.js';
import { emotionClassifierId } from '../../src/inference/classifier.js';
import { pngBomb } from '../data/image-fixtures.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis-server.js';

const noRedis = redisUnavailable();
if (noRedis) console.warn(`skipping the queue bomb test: ${noRedis}`);

describe.skipIf(noRedis !== undefined)(`decompression bombs on the queue${noRedis ? ` — skipped: ${noRedis}` : ''}`, () => {
  let redis: TestRedis;
  let worker: Worker | undefined;
  const queue = 'fer-test-bombs';

  beforeAll(async () => { redis = (await startRedis())!; });
  afterAll(async () => {
    await worker?.close(true);
    await redis?.stop();
  });

  it('fails the bomb job with its reason, then answers the next job on the same worker', async () => {
    const { loadEmotionModel } = await import('../../src/inference/weights.js');
    const model = await loadEmotionModel({ weights: await saveTinyModel(join(tempDir('fer-bomb-model-'), 'tiny')) });
    worker = await createEmotionWorker({ connection: redis.url, queue, concurrency: 1, model });
    const bomb = pngBomb(1, 1, 300 * 2 ** 20);
    expect(bomb.length).toBeLessThan(1 << 20);
    const before = process.memoryUsage().rss;
    const jobs = await enqueueImages([
      { bytes: bomb, name: 'bomb.png' },
      { bytes: png(gray(4)), name: 'face.png' },
    ], { connection: redis.url, queue, attempts: 3, model: await emotionClassifierId({ model }) });
    const got = new Map<string, JobOutcome>();
    for await (const o of collectResults(jobs.map((j) => j.jobId), { connection: redis.url, queue, timeoutMs: 60_000, pollMs: 200 })) got.set(o.jobId, o);
    const growthMB = (process.memoryUsage().rss - before) / 2 ** 20;
    const b = got.get(jobs[0].jobId)!, f = got.get(jobs[1].jobId)!;
    expect(b.ok).toBe(false);
    expect(!b.ok && b.reason).toMatch(/^bomb\.png: .*refused PNG: its image data inflates past the 2 bytes its header declares for 1×1 pixels/);
    expect(f.ok).toBe(true);
    expect(growthMB).toBeLessThan(250);
  }, 120_000);
});
