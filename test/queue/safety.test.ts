/**
 * A queue worker that a hostile job cannot take down or turn into a probe, against a real Redis:
 * path jobs outside the allowed folders and /dev/zero refused with one reason, bad job data
 * failed for good (no retries) with a short one-line reason, a job past its time limit failed,
 * job names with control characters escaped in the worker's log; and `enqueue --wait --out`
 * that loses nothing (an output that is an input refused, a full disk named), a Redis password
 * never echoed, the URL taken from REDIS_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { gray, png, put, saveTinyModel, tempDir } from '../cli/fixtures.js';
import { collect as collectCli, runCli, spawnCli } from '../cli/run-cli.js';
import { loadBullmq } from '../../src/queue/deps.js';
import { parseRedisUrl } from '../../src/queue/connection.js';
import { collectResults, enqueueImages, type JobOutcome } from '../../src/queue/producer.js';
import { createEmotionWorker } from '../../src/queue/worker.js';
import { emotionClassifierId } from '../../src/inference/classifier.js';
import { REFUSED_INPUT } from '../../src/queue/input-policy.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis-server.js';

describe('enqueue and worker command lines (no Redis needed)', () => {
  it('enqueue --out that is one of the images is refused before anything is enqueued or written', async () => {
    const dir = tempDir('fer-enqueue-out-');
    const image = put(dir, 'x.png', png(gray(3)));
    const before = readFileSync(image);
    for (const [input, out] of [[image, image], [dir, join(dir, 'y.png')]]) {
      const r = await runCli(['enqueue', input, '--redis', 'redis://127.0.0.1:1', '--wait', '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^fer-cnn-lstm: .*: the output is also an input \(.*\): it would be overwritten before it is read; give another output file$/);
    }
    expect(readFileSync(image).equals(before)).toBe(true);
    expect(existsSync(join(dir, 'y.png'))).toBe(false);
  });

  it('a Redis password is never echoed, and the URL can come from REDIS_URL', async () => {
    for (const url of ['redis:/user:s3cret@host', 'http://user:s3cret@host:6379', 'redis://:s3cret@host:6379/x']) {
      const r = await runCli(['enqueue', 'x.png', '--redis', url]);
      expect(r.code, url).toBe(2);
      expect(r.stderr, url).not.toContain('s3cret');
      expect(r.stderr, url).toContain('***@');
    }
    const env = await runCli(['worker'], { env: { REDIS_URL: 'redis://:s3cret@host:6379/x' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/^fer-cnn-lstm: REDIS_URL: Redis URL "redis:\/\/\*\*\*@host:6379\/x": the database must be a number/);
    expect(env.stderr).not.toContain('s3cret');
  });

  it('worker --allow-paths names a folder that is not there', async () => {
    const r = await runCli(['worker', '--redis', 'redis://127.0.0.1:1', '--allow-paths', '/nonexistent-folder']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--allow-paths: "\/nonexistent-folder" is not a folder/);
  });
});

const noRedis = redisUnavailable();
if (noRedis) console.warn(`skipping the queue safety tests against Redis: ${noRedis}`);

describe.skipIf(noRedis !== undefined)('a worker against hostile jobs (real Redis)', () => {
  let redis: TestRedis;
  let worker: Worker | undefined;
  let modelId = '';
  let server: Server;
  let base: string;
  let dir: string;
  const queue = 'fer-test-safety';
  const logged: string[] = [];

  beforeAll(async () => {
    redis = (await startRedis())!;
    dir = tempDir('fer-queue-safety-');
    put(dir, 'allowed/a.png', png(gray(5)));
    put(dir, 'outside.png', png(gray(6)));
    server = createServer((req) => { void req; /* never answers */ });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const weights = await saveTinyModel(join(dir, 'tiny'));
    const { loadEmotionModel } = await import('../../src/inference/weights.js');
    const model = await loadEmotionModel({ weights });
    // jobs name the model that must answer them: this worker's
    modelId = await emotionClassifierId({ model });
    worker = await createEmotionWorker({
      connection: redis.url, queue, concurrency: 2, model, allowPaths: [join(dir, 'allowed')], allowUrls: [`${base}/`],
      jobTimeoutMs: 1500, readTimeoutMs: 10_000, onError: (e) => logged.push(e.message),
    });
  });

  afterAll(async () => {
    await worker?.close(true);
    server?.closeAllConnections();
    server?.close();
    await redis?.stop();
  });

  async function client2<T>(fn: (c: import('ioredis').Redis) => Promise<T>): Promise<T> {
    const { Redis } = await import('ioredis');
    const c = new Redis(redis.url);
    try {
      return await fn(c);
    } finally {
      c.disconnect();
    }
  }

  async function collect(ids: string[]): Promise<Map<string, JobOutcome>> {
    const got = new Map<string, JobOutcome>();
    for await (const o of collectResults(ids, { connection: redis.url, queue, timeoutMs: 60_000, pollMs: 300 })) got.set(o.jobId, o);
    return got;
  }

  it('reads allowed paths only; /dev/zero and files outside get the one refusal, at once, not retried', async () => {
    const jobs = await enqueueImages([
      { path: join(dir, 'allowed', 'a.png'), jobId: 'allowed' },
      { path: '/dev/zero', jobId: 'zero' },
      { path: join(dir, 'outside.png'), jobId: 'outside' },
      { path: join(dir, 'allowed', 'missing.png'), jobId: 'missing' },
      { path: join(dir, 'allowed'), jobId: 'folder' },
    ], { connection: redis.url, queue, attempts: 3, send: 'path', model: modelId });
    const got = await collect(jobs.map((j) => j.jobId));
    expect(got.get('allowed')!.ok).toBe(true);
    for (const id of ['zero', 'outside', 'missing', 'folder']) {
      const o = got.get(id)!;
      expect(o.ok, id).toBe(false);
      if (!o.ok) expect(o.reason.replace(/^.*?: input refused/, 'input refused'), id).toBe(REFUSED_INPUT);
    }
    const { Queue } = await loadBullmq('test');
    const q = new Queue(queue, { connection: parseRedisUrl(redis.url) });
    for (const id of ['zero', 'outside']) expect((await q.getJob(id))!.attemptsMade, id).toBe(1);
    await q.close();
    // the producer reads a regular file only, and not past the workers' input limit
    await expect(enqueueImages(['/dev/zero'], { connection: redis.url, queue })).rejects.toThrow('/dev/zero: not a regular file (a device, FIFO or socket): give an image file');
  }, 90_000);

  it('bad job data fails for good with a short one-line reason: huge values cut, deep nesting, minFaceSize below 20, control characters', async () => {
    const { Queue } = await loadBullmq('test');
    const q = new Queue(queue, { connection: parseRedisUrl(redis.url) });
    const image = png(gray(7)).toString('base64');
    await q.add('emotion', { base64: image, tta: 'x'.repeat(200_000) }, { jobId: 'huge-tta', attempts: 3 });
    await q.add('emotion', { base64: image, faces: true, minFaceSize: 5 }, { jobId: 'small-face', attempts: 3 });
    await q.add('emotion', { base64: 'bm90IGFuIGltYWdl', name: 'evil\nfer-cnn-lstm: job 1 done\x1b[2K' }, { jobId: 'evil-name', attempts: 3 });
    // a value nested deeper than JSON.stringify can walk: written into the job's hash by hand
    await q.add('emotion', { base64: image }, { jobId: 'deep', attempts: 3, delay: 60_000 });
    const deep = `{"base64":"${image}","tta":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    await client.hset(`bull:${queue}:deep`, 'data', deep);
    client.disconnect();
    await (await q.getJob('deep'))!.promote();
    // data that is not JSON at all
    // (the queue paused meanwhile: a job that cannot be read back cannot be promoted)
    await q.pause();
    await q.add('emotion', { base64: image }, { jobId: 'not-json', attempts: 3 });
    await client2(async (c) => c.hset(`bull:${queue}:not-json`, 'data', '{"base64": cut here'));
    await q.resume();
    const got = await collect(['huge-tta', 'small-face', 'evil-name', 'deep', 'not-json']);
    const reason = (id: string) => { const o = got.get(id)!; return o.ok ? 'ok' : o.reason; };
    expect(reason('huge-tta')).toMatch(/^job data "tta" must be true or false, got "x{80}…\(199920 more characters\)"$/);
    expect(reason('small-face')).toBe('job data "minFaceSize" must be a number ≥ 20 (pixels), got 5');
    expect(reason('deep')).toBe('job data "tta" must be true or false, got an array of 1');
    expect(reason('not-json')).toMatch(/^job data is not valid JSON/);
    expect(await q.getJobState('not-json')).toBe('failed'); // not left active
    expect(reason('evil-name')).toMatch(/^evil\\nfer-cnn-lstm: job 1 done\\x1b\[2K: /);
    for (const id of ['huge-tta', 'small-face', 'evil-name', 'deep', 'not-json']) {
      expect(reason(id), id).not.toMatch(/[\n\x1b]/);
      expect(reason(id).length, id).toBeLessThan(800);
      if (id !== 'not-json') expect((await q.getJob(id))!.attemptsMade, id).toBe(1);
    }
    await q.close();
  }, 90_000);

  it('a job past the worker\'s time limit (a URL that never answers) fails for good, freeing its slot', async () => {
    const t0 = Date.now();
    const jobs = await enqueueImages([{ url: `${base}/slow.png`, jobId: 'slow' }], { connection: redis.url, queue, attempts: 3, model: modelId });
    const got = await collect(jobs.map((j) => j.jobId));
    const o = got.get('slow')!;
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.reason).toBe(`${base}/slow.png: job took longer than this worker's limit of 1.5 s`);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 60_000);

  it.skipIf(!existsSync('/dev/full'))('enqueue --wait --out /dev/full: names ENOSPC and the file, exit 1 (not "answered")', async () => {
    const images = tempDir('fer-enqueue-full-');
    for (let i = 0; i < 3; i++) put(images, `f${i}.png`, png(gray(20 + i)));
    const r = await runCli(['enqueue', images, '--queue', queue, '--wait', '--out', '/dev/full'], { env: { REDIS_URL: redis.url } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/dev/full: cannot write the output (ENOSPC: no space left on the device); the jobs stay in the queue');
    expect(r.stderr).not.toMatch(/answered/);
  }, 90_000);

  it('enqueue --wait with Redis gone for good says so and gives up after --redis-timeout (exit 1)', async () => {
    const lost = (await startRedis())!;
    try {
      const images = tempDir('fer-enqueue-lost-');
      put(images, 'a.png', png(gray(40)));
      const child = spawnCli(['enqueue', images, '--queue', 'nobody-works-here', '--wait', '--redis-timeout', '2'], { env: { REDIS_URL: lost.url } });
      const result = collectCli(child);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      const t0 = Date.now();
      while (!stderr.includes('enqueued') && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toContain('enqueued 1 image');
      await lost.stop();
      const t1 = Date.now();
      const r = await result;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is not answering/);
      expect(r.stderr).toMatch(/has not answered for 2 s: gave up waiting \(the jobs stay in queue nobody-works-here\)/);
      expect(Date.now() - t1).toBeLessThan(30_000);
    } finally {
      await lost.stop();
    }
  }, 90_000);

  it('the worker command escapes control characters of job ids, names and reasons in its log lines', async () => {
    const weights = await saveTinyModel(join(tempDir('fer-worker-log-'), 'tiny'));
    const child = spawnCli(['worker', '--queue', 'fer-test-log', '--weights', weights, '--concurrency', '1'], { env: { REDIS_URL: redis.url } });
    const result = collectCli(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer | string) => { stderr += d.toString(); });
    try {
      const t0 = Date.now();
      while (!stderr.includes('on queue fer-test-log') && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toMatch(/reads image bytes in jobs\)/);
      const { Queue } = await loadBullmq('test');
      const q = new Queue('fer-test-log', { connection: parseRedisUrl(redis.url) });
      await q.add('emotion', { base64: 'bm90IGFuIGltYWdl', name: 'x\nfer-cnn-lstm: job forged done\x1b[2K' }, { jobId: 'id\nforged', attempts: 1 });
      while (!stderr.includes('forged') && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
      await q.close();
    } finally {
      child.kill('SIGTERM');
    }
    const r = await result;
    const line = r.stderr.split('\n').find((l) => l.includes('forged'))!;
    expect(line).toMatch(/^fer-cnn-lstm: job id\\nforged:? x\\nfer-cnn-lstm: job forged done\\x1b\[2K: /);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('fer-cnn-lstm: job forged'))).toEqual([]);
    expect(r.stderr).not.toContain('\x1b');
  }, 90_000);
});
