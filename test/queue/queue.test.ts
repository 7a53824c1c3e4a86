/**
 * The queue API against a real Redis (redis-server on a free loopback port, started here): an
 * in-process emotion worker, enqueueImages / collectResults, input errors that fail at once,
 * idempotent job ids. Plus the parts that need no Redis (URLs, job ids, the missing-bullmq error).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { jpg, png, gray, put, saveTinyModel, tempDir } from '../cli/fixtures.js';
import { ROOT } from '../cli/run-cli.js';
import { loadBullmq, QueueDependencyError } from '../../src/queue/deps.js';
import { describeConnection, parseRedisUrl } from '../../src/queue/connection.js';
import { emotionJobId } from '../../src/queue/job.js';
import { listImageFiles } from '../../src/queue/files.js';
import { collectResults, enqueueImages, type JobOutcome } from '../../src/queue/producer.js';
import { createEmotionWorker } from '../../src/queue/worker.js';
import { emotionClassifierId } from '../../src/inference/classifier.js';
import { REFUSED_INPUT } from '../../src/queue/input-policy.js';
import { EMOTIONS } from '../../src/emotions.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis-server.js';

const FACE = join(ROOT, 'examples/images/astronaut-face.png');

describe('queue without Redis', () => {
  it('says what to install when bullmq or ioredis is missing', async () => {
    const missing = (name: string) => async () => {
      throw Object.assign(new Error(`Cannot find package '${name}' imported from /x.js`), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    await expect(loadBullmq('queue worker', { bullmq: missing('bullmq'), ioredis: async () => ({}) }))
      .rejects.toThrow(new QueueDependencyError('install bullmq to use the queue worker: npm install bullmq ioredis'));
    await expect(loadBullmq('queue producer', { bullmq: async () => import('bullmq'), ioredis: missing('ioredis') }))
      .rejects.toThrow(/install ioredis .* to use the queue producer: npm install ioredis/);
    // a broken import inside bullmq is not reported as "not installed"
    const inner = async () => { throw Object.assign(new Error("Cannot find module 'msgpackr'"), { code: 'MODULE_NOT_FOUND' }); };
    await expect(loadBullmq('queue worker', { bullmq: inner, ioredis: async () => ({}) })).rejects.toThrow(/msgpackr/);
    const real = await loadBullmq('queue worker');
    expect(typeof real.Worker).toBe('function');
    expect(typeof real.UnrecoverableError).toBe('function');
  });

  it('parses Redis URLs and hides passwords in messages', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6390')).toEqual({ host: '127.0.0.1', port: 6390 });
    expect(parseRedisUrl('rediss://u:p%40ss@cache.example:7000/3')).toEqual({ host: 'cache.example', port: 7000, db: 3, username: 'u', password: 'p@ss', tls: {} });
    expect(parseRedisUrl('redis://[::1]')).toEqual({ host: '::1', port: 6379 });
    expect(() => parseRedisUrl('127.0.0.1:6379')).toThrow(/not a Redis URL/);
    expect(() => parseRedisUrl('http://h:1')).toThrow(/expected redis:\/\//);
    expect(() => parseRedisUrl('redis://h:1/x')).toThrow(/database must be a number/);
    expect(describeConnection('redis://u:secret@h:1/2')).toBe('redis://h:1/2');
    expect(describeConnection({ host: 'h', port: 5 })).toBe('redis://h:5');
  });

  it('derives job ids from the content and the options that change the answer', () => {
    const a = new Uint8Array([1, 2, 3]);
    expect(emotionJobId({ bytes: a })).toBe(emotionJobId({ bytes: new Uint8Array([1, 2, 3]) }));
    expect(emotionJobId({ bytes: a })).toMatch(/^fer-[0-9a-f]{32}$/);
    expect(emotionJobId({ bytes: a })).not.toBe(emotionJobId({ bytes: new Uint8Array([1, 2, 4]) }));
    expect(emotionJobId({ bytes: a })).not.toBe(emotionJobId({ bytes: a }, { tta: true }));
    expect(emotionJobId({ bytes: a }, { tta: false })).toBe(emotionJobId({ bytes: a }));
    expect(emotionJobId({ path: '/x.png' })).not.toBe(emotionJobId({ url: '/x.png' }));
    // the model that answers is part of the id: another model's result is never served for it
    expect(emotionJobId({ bytes: a }, { model: 'shipped:default/float32 tta=auto prior=training' }))
      .not.toBe(emotionJobId({ bytes: a }, { model: 'shipped:accurate/float32 tta=flip prior=training' }));
  });

  it('fails clearly when Redis cannot be reached', async () => {
    const { freePort } = await import('./redis-server.js');
    const url = `redis://127.0.0.1:${await freePort()}`;
    const { loadEmotionModel } = await import('../../src/inference/weights.js');
    const model = await loadEmotionModel({ weights: await saveTinyModel(join(tempDir('fer-queue-model-'), 'tiny')) });
    const quiet = { onError: () => undefined, connectTimeoutMs: 1500 };
    await expect(createEmotionWorker({ connection: url, model, ...quiet })).rejects.toThrow(`cannot reach Redis at ${url} (waited 1.5 s)`);
    await expect(enqueueImages([FACE], { connection: url, connectTimeoutMs: 1500 })).rejects.toThrow(`cannot reach Redis at ${url}`);
    await expect(createEmotionWorker({ connection: url, model, concurrency: 0 })).rejects.toThrow(/concurrency must be an integer ≥ 1/);
  }, 60_000);

  it('lists the images of folders as predict does, sorted, subfolders included', async () => {
    const dir = tempDir('fer-queue-files-');
    put(dir, 'b.png', 'x');
    put(dir, 'a/c.JPG', 'x');
    put(dir, 'notes.txt', 'x');
    put(dir, '.hidden/d.png', 'x');
    const single = put(dir, 'single.dat', 'x');
    // as predict lists a folder: its files, then its subfolders (dot folders too), each sorted
    expect(await listImageFiles([dir, single])).toEqual([join(dir, 'b.png'), join(dir, '.hidden/d.png'), join(dir, 'a/c.JPG'), single]);
    await expect(listImageFiles([join(dir, 'nope')])).rejects.toThrow(/nope: no such file or folder/);
  });
});

const noRedis = redisUnavailable();
if (noRedis) console.warn(`skipping the queue tests against Redis: ${noRedis}`);

describe.skipIf(noRedis !== undefined)('queue against a real Redis', () => {
  let redis: TestRedis;
  let worker: Worker | undefined;
  let weights: string;
  let model: string; // the id of the workers' model, named by every job
  const queue = 'fer-test-api';

  beforeAll(async () => {
    redis = (await startRedis())!;
    weights = await saveTinyModel(join(tempDir('fer-queue-model-'), 'tiny'));
  });

  afterAll(async () => {
    await worker?.close(true);
    await redis?.stop();
  });

  async function collect(ids: string[]): Promise<Map<string, JobOutcome>> {
    const got = new Map<string, JobOutcome>();
    for await (const o of collectResults(ids, { connection: redis.url, queue, timeoutMs: 120_000, pollMs: 500 })) {
      expect(got.has(o.jobId)).toBe(false);
      got.set(o.jobId, o);
    }
    return got;
  }

  it('classifies images, fails bad ones at once with their reasons, and enqueueing again adds nothing', async () => {
    // default lock (30 s): detecting faces in a photo on the cpu backend blocks the event loop for seconds
    const dir = tempDir('fer-queue-imgs-');
    // path jobs are read from the folders the worker allows
    worker = await createEmotionWorker({ connection: redis.url, queue, concurrency: 3, weights, allowPaths: [dir] });
    model = await emotionClassifierId({ weights });
    const a = put(dir, 'a.png', png(gray(1)));
    const b = put(dir, 'b.jpg', jpg(gray(2, 64)));
    const bad = put(dir, 'bad.png', 'this is not an image');
    const progress: number[] = [];
    const opts = { connection: redis.url, queue, attempts: 3, model, onProgress: (p: { added: number }) => progress.push(p.added) };
    const jobs = await enqueueImages([
      a, b, bad,
      { bytes: readFileSync(FACE), name: 'astronaut-face.png' },
      { bytes: readFileSync(FACE), name: 'again.png' }, // same content: same job
      { bytes: readFileSync(FACE), name: 'third.png', jobId: 'my-own-id' },
    ], opts);
    expect(progress.at(-1)).toBe(6);
    expect(jobs.map((j) => j.name)).toEqual([a, b, bad, 'astronaut-face.png', 'again.png', 'third.png']);
    expect(jobs[3].jobId).toBe(jobs[4].jobId);
    expect(jobs[5].jobId).toBe('my-own-id');
    // paths the worker reads itself (shared storage); one that is not there
    const byPath = await enqueueImages([a, join(dir, 'missing.png')], { ...opts, send: 'path' });
    expect(byPath[0].jobId).not.toBe(jobs[0].jobId);
    // a job whose data holds no image, added by hand
    const { Queue } = await loadBullmq('test');
    const q = new Queue(queue, { connection: parseRedisUrl(redis.url) });
    await q.add('emotion', { name: 'empty' }, { jobId: 'no-image', attempts: 3 });
    await q.add('emotion', { path: a, faces: true, maxFaces: 0 }, { jobId: 'bad-option', attempts: 3 });

    const ids = [...new Set([...jobs, ...byPath].map((j) => j.jobId)), 'no-image', 'bad-option'];
    const got = await collect(ids);
    expect([...got.keys()].sort()).toEqual([...ids].sort());
    for (const id of [jobs[0].jobId, jobs[1].jobId, jobs[3].jobId, 'my-own-id', byPath[0].jobId]) {
      const o = got.get(id)!;
      expect(o.ok, JSON.stringify(o)).toBe(true);
      if (!o.ok || 'faces' in o.result || 'noFace' in o.result) throw new Error('expected a classification');
      expect(EMOTIONS).toContain(o.result.emotion);
      expect(Object.keys(o.result.scores)).toEqual([...EMOTIONS]);
      expect(Object.values(o.result.scores).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
      expect(o.result.confidence).toBe(Math.max(...Object.values(o.result.scores)));
    }
    // the same image the same way: the same answer (batched or not)
    const r0 = got.get(jobs[3].jobId)!, r1 = got.get('my-own-id')!;
    expect(r0.ok && r1.ok && r0.result).toEqual(r1.ok && { ...r1.result, name: 'astronaut-face.png' });
    const reason = (id: string) => { const o = got.get(id)!; return o.ok ? 'ok' : o.reason; };
    expect(reason(jobs[2].jobId)).toMatch(/^.*bad\.png: .*(not a JPEG or PNG|unknown|unsupported|format).*$/i);
    expect(reason(jobs[2].jobId)).not.toContain('\n');
    expect(reason(byPath[1].jobId)).toBe(`${join(dir, 'missing.png')}: ${REFUSED_INPUT}`);
    expect(reason('no-image')).toBe('empty: job data needs exactly one image: "path", "url" or "base64"');
    expect(reason('bad-option')).toBe('job data "maxFaces" must be an integer ≥ 1, got 0');
    // input errors are not retried although attempts is 3
    for (const id of [jobs[2].jobId, byPath[1].jobId, 'no-image', 'bad-option']) {
      const job = await q.getJob(id);
      expect(job!.attemptsMade, id).toBe(1);
      expect(await job!.getState()).toBe('failed');
    }

    // enqueueing the same images again adds no job, and the results are there at once
    const before = await q.getJobCounts();
    const again = await enqueueImages([a, b, bad], opts);
    expect(again.map((j) => j.jobId)).toEqual(jobs.slice(0, 3).map((j) => j.jobId));
    expect(await q.getJobCounts()).toEqual(before);
    const t0 = Date.now();
    const twice = await collect(again.map((j) => j.jobId));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(twice.get(jobs[0].jobId)).toEqual(got.get(jobs[0].jobId));
    // retryFailed puts a failed job back: it runs (and fails) again, once more
    const failedBefore = (await q.getJob(jobs[2].jobId))!.finishedOn!;
    const retry = await enqueueImages([bad], { ...opts, retryFailed: true });
    expect(retry).toEqual([{ jobId: jobs[2].jobId, name: bad, retried: true }]);
    const rerun = await collect([jobs[2].jobId]);
    expect(rerun.get(jobs[2].jobId)).toEqual(got.get(jobs[2].jobId));
    const after = (await q.getJob(jobs[2].jobId))!;
    expect(after.finishedOn!).toBeGreaterThan(failedBefore);
    expect(after.attemptsMade).toBe(1);
    expect((await enqueueImages([a], { ...opts, retryFailed: true }))[0].retried).toBeUndefined();
    // an unknown id is an outcome too, not a hang
    const unknown = await collect(['never-added']);
    expect(unknown.get('never-added')).toMatchObject({ ok: false, reason: expect.stringMatching(/not in queue fer-test-api/) });
    await q.close();
  }, 180_000);

  it('fails a job for another model instead of answering it, and gives it another id', async () => {
    const bytes = png(gray(7));
    const other = await emotionClassifierId(); // the shipped default model
    expect(other).not.toBe(model);
    const [mine] = await enqueueImages([{ bytes, name: 'mine.png' }], { connection: redis.url, queue, model });
    const [theirs] = await enqueueImages([{ bytes, name: 'theirs.png' }], { connection: redis.url, queue, model: other });
    expect(theirs.jobId).not.toBe(mine.jobId);
    const got = await collect([mine.jobId, theirs.jobId]);
    expect(got.get(mine.jobId)!.ok).toBe(true);
    expect(got.get(theirs.jobId)).toMatchObject({ ok: false, reason: `theirs.png: job is for the model "${other}" but this worker runs "${model}": enqueue it with this worker's model, or start a worker with that model` });
  }, 60_000);

  it('answers every face of a photo when the job asks for faces', async () => {
    const jobs = await enqueueImages([{ bytes: readFileSync(join(ROOT, 'examples/images/astronaut.png')), name: 'astronaut.png' }], { connection: redis.url, queue, faces: true, maxFaces: 3, model });
    const got = await collect(jobs.map((j) => j.jobId));
    const o = got.get(jobs[0].jobId)!;
    expect(o.ok, JSON.stringify(o)).toBe(true);
    if (!o.ok || !('faces' in o.result)) throw new Error('expected faces');
    expect(o.result.name).toBe('astronaut.png');
    expect(o.result.faces.length).toBeGreaterThanOrEqual(1);
    const f = o.result.faces[0];
    expect(f.box.width).toBeGreaterThan(50);
    expect(f.faceScore).toBeGreaterThan(0.5);
    expect(EMOTIONS).toContain(f.emotion);
  }, 180_000);

  it('close() lets the running jobs finish', async () => {
    const jobs = await enqueueImages(Array.from({ length: 12 }, (_, i) => ({ bytes: png(gray(100 + i)) })), { connection: redis.url, queue, model });
    // close as soon as a job runs: the ones running complete, the rest stay waiting
    await new Promise<void>((resolve) => worker!.once('active', () => resolve()));
    await worker!.close();
    expect(worker!.isRunning()).toBe(false);
    const { Queue } = await loadBullmq('test');
    const q = new Queue(queue, { connection: parseRedisUrl(redis.url) });
    const states = await Promise.all(jobs.map(async (j) => (await q.getJob(j.jobId))!.getState()));
    expect(states).not.toContain('active');
    expect(states.filter((s) => s === 'completed').length + states.filter((s) => s === 'waiting').length).toBe(12);
    await q.close();
  }, 60_000);

  it('answers about faces: a photo gets its most prominent face with faceCount and box, a faceless photo noFace, crop: true the whole image', async () => {
    const { EmotionClassifier } = await import('../../src/inference/classifier.js');
    const classifier = await EmotionClassifier.load({ weights });
    const photos = 'fer-test-photos';
    const w = await createEmotionWorker({ connection: redis.url, queue: photos, concurrency: 2, classifier });
    try {
      const dir = tempDir('fer-queue-photos-');
      const { PNG } = await import('pngjs');
      const wall = new PNG({ width: 320, height: 240 });
      for (let i = 0; i < 320 * 240; i++) { const v = 110 + ((i * 7919) % 37); wall.data.set([v, v, v, 255], i * 4); }
      const faceless = put(dir, 'wall.png', PNG.sync.write(wall));
      const photo = join(ROOT, 'examples/images/astronaut.png');
      const opts = { connection: redis.url, queue: photos, attempts: 1, model: classifier.id };
      const jobs = [...await enqueueImages([photo, faceless, FACE], opts), ...await enqueueImages([photo], { ...opts, crop: true })];
      const got = new Map<string, JobOutcome>();
      for await (const o of collectResults(jobs.map((j) => j.jobId), { connection: redis.url, queue: photos, timeoutMs: 120_000, pollMs: 500 })) got.set(o.jobId, o);
      const result = (i: number) => { const o = got.get(jobs[i].jobId)!; if (!o.ok) throw new Error(o.reason); return o.result as unknown as Record<string, unknown>; };
      expect(result(0).faceCount).toBe(1);
      expect((result(0).box as { x: number }).x).toBeGreaterThan(162);
      expect(EMOTIONS).toContain(result(0).emotion);
      expect(result(1)).toEqual({ name: faceless, noFace: true });
      // the tight face crop (130×130) is a photo too: its face is found
      expect(result(2).faceCount).toBe(1);
      expect(result(3).box).toBeUndefined();
      expect(result(3).faceCount).toBeUndefined();
      expect(result(3).emotion).toBeDefined();
      expect(jobs[3].jobId).not.toBe(jobs[0].jobId);
    } finally {
      await w.close(true);
    }
  }, 180_000);
});
