/**
 * Two `fer-cnn-lstm worker` processes on one real Redis, 500 jobs (a few real images repeated
 * under distinct job ids, plus bad images), one worker killed with SIGKILL midway: every job
 * completes (or, for the bad images, fails with its reason) exactly once, counted by job id in
 * Redis's own event stream; none is lost; the killed worker's running jobs are put back by the
 * other's stalled-job check. Then `enqueue --wait --out` (idempotent when run again) and a
 * graceful SIGTERM (running jobs finish, exit 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gray, jpg, png, put, saveTinyModel, tempDir } from '../cli/fixtures.js';
import { emotionClassifierId } from '../../src/inference/classifier.js';
import { collect as collectCli, lines, ROOT, runCli, spawnCli } from '../cli/run-cli.js';
import { loadBullmq } from '../../src/queue/deps.js';
import { parseRedisUrl } from '../../src/queue/connection.js';
import { collectResults, enqueueImages, type EnqueueImage, type JobOutcome } from '../../src/queue/producer.js';
import { EMOTIONS } from '../../src/emotions.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis-server.js';

const QUEUE = 'fer-test-cluster';
const TOTAL = 500;

const noRedis = redisUnavailable();
if (noRedis) console.warn(`skipping the queue cluster test: ${noRedis}`);

/** A started worker process and its output so far. */
interface WorkerProc {
  name: string;
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe.skipIf(noRedis !== undefined)('two worker processes, one killed midway', () => {
  let redis: TestRedis;
  let weights: string;
  const workers: WorkerProc[] = [];

  function startWorker(name: string): WorkerProc {
    const child = spawnCli(['worker', '--redis', redis.url, '--queue', QUEUE, '--concurrency', '4', '--weights', weights,
      '--lock-duration', '3000', '--stalled-interval', '1000', '--name', name]);
    const w: WorkerProc = {
      name, child, stdout: '', stderr: '',
      exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    };
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { w.stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { w.stderr += d; });
    workers.push(w);
    return w;
  }

  async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    redis = (await startRedis())!;
    weights = await saveTinyModel(join(tempDir('fer-queue-model-'), 'tiny'));
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('loses no job and answers each exactly once', async () => {
    const w1 = startWorker('w1');
    const w2 = startWorker('w2');
    await until('both workers to start', () => [w1, w2].every((w) => /worker w\d on queue/.test(w.stderr) || w.child.exitCode !== null), 180_000);
    for (const w of [w1, w2]) expect(w.child.exitCode, w.stderr).toBeNull();

    const images = [
      readFileSync(join(ROOT, 'examples/images/astronaut-face.png')),
      png(gray(1)), jpg(gray(2)), png(gray(3, 64)), jpg(gray(4, 96)),
    ];
    const items: EnqueueImage[] = [];
    const bad = new Map<string, RegExp>();
    for (let i = 0; i < TOTAL; i++) {
      if (i % 40 === 7) {
        items.push({ bytes: Buffer.from(`not an image ${i}`), name: `bad-${i}.png`, jobId: `bad-${i}` });
        bad.set(`bad-${i}`, new RegExp(`^bad-${i}\\.png: encoded image \\(\\d+ bytes\\): `));
      } else if (i % 40 === 27) {
        items.push({ url: `file:///nonexistent/missing-${i}.png`, jobId: `missing-${i}` });
        // not under the worker's --allow-paths: refused with the one reason that tells nothing about the file
        bad.set(`missing-${i}`, new RegExp(`^file:///nonexistent/missing-${i}\\.png: input refused: `));
      } else {
        items.push({ bytes: images[i % images.length], name: `img-${i}`, jobId: `job-${i}` });
      }
    }
    // the workers run --weights: the jobs name that model (its id is part of each job)
    const model = await emotionClassifierId({ weights });
    const jobs = await enqueueImages(items, { connection: redis.url, queue: QUEUE, attempts: 3, model });
    expect(new Set(jobs.map((j) => j.jobId)).size).toBe(TOTAL);

    const outcomes = new Map<string, JobOutcome>();
    let killedAt = -1;
    const t0 = Date.now();
    for await (const o of collectResults(jobs.map((j) => j.jobId), { connection: redis.url, queue: QUEUE, timeoutMs: 240_000, pollMs: 1000 })) {
      expect(outcomes.has(o.jobId)).toBe(false);
      outcomes.set(o.jobId, o);
      if (killedAt < 0 && outcomes.size >= 150 && lines(w1.stdout).length > 0) {
        killedAt = outcomes.size;
        w1.child.kill('SIGKILL');
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(`${TOTAL} jobs in ${seconds.toFixed(1)} s with 2 workers (one killed after ${killedAt} results)`);
    expect(killedAt).toBeGreaterThan(0);
    expect(await w1.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(outcomes.size).toBe(TOTAL);

    for (const j of jobs) {
      const o = outcomes.get(j.jobId)!;
      const pattern = bad.get(j.jobId);
      if (pattern) {
        expect(o.ok, j.jobId).toBe(false);
        if (!o.ok) expect(o.reason).toMatch(pattern);
      } else {
        expect(o.ok, `${j.jobId}: ${JSON.stringify(o)}`).toBe(true);
        if (o.ok && !('faces' in o.result) && !('noFace' in o.result)) expect(EMOTIONS).toContain(o.result.emotion);
      }
    }
    // the same image gives the same answer whichever worker and batch it went through
    const a = outcomes.get('job-0'), b = outcomes.get('job-495');
    expect(a?.ok && b?.ok && { ...a.result, name: '' }).toEqual(b?.ok && { ...b.result, name: '' });

    // Redis's own record: one "completed" event per good job, one "failed" per bad one, nothing else final
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.port, '127.0.0.1');
    const entries = (await client.xrange(`bull:${QUEUE}:events`, '-', '+')) as [string, string[]][];
    const count = new Map<string, number>();
    let stalledEvents = 0;
    for (const [, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      if (f.event === 'completed' || f.event === 'failed') count.set(`${f.event} ${f.jobId}`, (count.get(`${f.event} ${f.jobId}`) ?? 0) + 1);
      if (f.event === 'stalled') stalledEvents++;
    }
    await client.quit();
    for (const j of jobs) {
      const isBad = bad.has(j.jobId);
      expect(count.get(`completed ${j.jobId}`) ?? 0, `completions of ${j.jobId}`).toBe(isBad ? 0 : 1);
      expect(count.get(`failed ${j.jobId}`) ?? 0, `failures of ${j.jobId}`).toBe(isBad ? 1 : 0);
    }

    const { Queue } = await loadBullmq('test');
    const q = new Queue(QUEUE, { connection: parseRedisUrl(redis.url) });
    const counts = await q.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized');
    expect(counts).toEqual({ completed: TOTAL - bad.size, failed: bad.size, active: 0, waiting: 0, delayed: 0, prioritized: 0 });
    // bad images were tried once (attempts 3); the killed worker's running jobs were put back and answered by w2
    const all = await Promise.all(jobs.map((j) => q.getJob(j.jobId)));
    for (const job of all) if (bad.has(job!.id!)) expect(job!.attemptsMade, job!.id).toBe(1);
    const recovered = all.filter((job) => job!.stalledCounter > 0);
    expect(stalledEvents).toBeGreaterThanOrEqual(1);
    expect(recovered.length).toBeGreaterThanOrEqual(1);
    // (a busy worker may also miss a lock renewal and get its own job back: only some recovered job must be w2's)
    expect(recovered.map((job) => job!.processedBy)).toContain('w2');
    const by = new Set(all.filter((job) => !bad.has(job!.id!)).map((job) => job!.processedBy));
    expect([...by].sort()).toEqual(['w1', 'w2']);
    await q.close();

    // the CLI producer on the same queue: a folder, --wait --out, then the same again (no new jobs)
    const dir = tempDir('fer-queue-cli-');
    put(dir, 'faces/a.png', png(gray(11)));
    put(dir, 'faces/b.jpg', jpg(gray(12)));
    put(dir, 'faces/sub/c.png', readFileSync(join(ROOT, 'examples/images/astronaut-face.png')));
    put(dir, 'faces/broken.png', 'garbage');
    const out = join(dir, 'results.jsonl');
    const first = await runCli(['enqueue', join(dir, 'faces'), '--redis', redis.url, '--queue', QUEUE, '--wait', '--out', out, '--weights', weights]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toContain('enqueued 4 images as 4 jobs');
    expect(first.stderr).toMatch(/broken\.png: encoded image \(7 bytes\): /);
    expect(first.stderr).toContain('4 jobs finished: 3 answered, 1 failed');
    const rows = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as { file: string; jobId: string; emotion?: string; error?: string });
    expect(rows.map((r) => r.file).sort()).toEqual(['a.png', 'b.jpg', 'broken.png', 'sub/c.png'].map((f) => join(dir, 'faces', f)).sort());
    for (const r of rows) {
      if (r.file.endsWith('broken.png')) expect(r.error).toMatch(/^.*broken\.png: encoded image/);
      else expect(EMOTIONS).toContain(r.emotion);
    }
    const q2 = new Queue(QUEUE, { connection: parseRedisUrl(redis.url) });
    const before = await q2.getJobCounts();
    const second = await runCli(['enqueue', join(dir, 'faces'), '--redis', redis.url, '--queue', QUEUE, '--wait', '--json', '--weights', weights]);
    expect(second.code).toBe(1);
    expect(await q2.getJobCounts()).toEqual(before);
    const again = lines(second.stdout).map((l) => JSON.parse(l) as { file: string });
    expect(again.sort((x, y) => x.file.localeCompare(y.file))).toEqual(rows.sort((x, y) => x.file.localeCompare(y.file)));

    // SIGTERM while w2 is busy: its running jobs finish, nothing is left active, exit 0
    const more = await enqueueImages(Array.from({ length: 60 }, (_, i) => ({ bytes: png(gray(200 + i)), jobId: `late-${i}` })), { connection: redis.url, queue: QUEUE, model });
    const lineCount = lines(w2.stdout).length;
    await until('w2 to take the new jobs', () => lines(w2.stdout).length > lineCount, 60_000);
    w2.child.kill('SIGTERM');
    expect(await w2.exit, w2.stderr).toEqual({ code: 0, signal: null });
    expect(w2.stderr).toMatch(/SIGTERM: finishing the running jobs/);
    expect(w2.stderr).toContain('worker w2 stopped');
    const states = await Promise.all(more.map(async (j) => (await q2.getJob(j.jobId))!.getState()));
    expect(states).not.toContain('active');
    expect(states.filter((s) => s === 'completed').length).toBeGreaterThan(0);
    await q2.close();
  }, 420_000);
});

void collectCli;
