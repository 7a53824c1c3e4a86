/**
 * Batch prediction speed, end to end from image files on disk: `predictFiles` (worker pool,
 * decoding and predicting in every worker) over FER-2013's 3,589 PublicTest JPEGs, with 1 worker
 * and with 2 (or `--workers 1,2,4`).
 *
 *   npm run bench:files -- [--json] [--dir ../shared/datasets/fer2013] [--workers 1,2] [--weights <dir>] [--limit N]
 *
 * Each run starts its own pool, so the time includes the workers' start (backend and model
 * loading); `steady` is the rate after the first result. Prints a line per run, the speed-up of
 * the most workers over one, the CPU time per image (all threads: equal for 1 and 2 workers when
 * the work splits without overhead) and the load average (other work on the machine), and last one JSON object. Without the folder it says so and exits 0.
 * Uses the shipped weights (or `--weights`); where they cannot be loaded, a freshly built model of
 * the default architecture (the same work per image), said in the output.
 *
 * @packageDocumentation
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listImageFiles, predictFiles } from '../src/batch/index.js';
import { emitJson, round } from './util.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    dir: { type: 'string', default: process.env.FER2013_DIR ?? '../shared/datasets/fer2013' },
    workers: { type: 'string', default: '1,2' },
    weights: { type: 'string' },
    limit: { type: 'string' },
  },
});
const test = join(resolve(values.dir!), 'test');
if (!existsSync(test)) {
  const reason = `no PublicTest images at ${test} (pass --dir <folder with test/<emotion>/*.jpg> or set FER2013_DIR)`;
  console.log(`skipped: ${reason}`);
  if (values.json) emitJson({ runs: [], skipped: reason });
  process.exit(0);
}
const counts = values.workers!.split(',').map(Number);
if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--workers must be a comma-separated list of integers ≥ 1, got ${values.workers}`);

const files: string[] = [];
for await (const f of listImageFiles([test], { recursive: true })) files.push(f);
if (values.limit) files.splice(Number(values.limit));

// the weights: --weights, the shipped ones, or a default-architecture model built here
let weights = values.weights;
let model = weights ?? 'shipped weights';
let temp: string | undefined;
if (!weights) {
  const { loadEmotionModel } = await import('../src/inference/weights.js');
  const usable = await loadEmotionModel().then(() => true, (e: Error) => { console.log(`the shipped weights cannot be loaded (${e.message.slice(0, 120)}…)`); return false; });
  if (!usable) {
    const { buildCnnLstm } = await import('../src/model/cnn-lstm.js');
    const { saveModel } = await import('../src/model/io.js');
    temp = mkdtempSync(join(tmpdir(), 'fer-bench-files-'));
    const m = buildCnnLstm({ seed: 1 });
    await saveModel(m, temp);
    weights = temp;
    model = `a freshly built default-architecture model (${m.countParams()} parameters)`;
    m.dispose();
  }
}
console.log(`${files.length} files from ${test}; ${model}; ${cpus().length} cores`);

interface Run {
  workers: number; files: number; seconds: number; imagesPerSecond: number; steadyImagesPerSecond: number; failed: number;
  /** CPU seconds of this process (all its threads) per image: the same for 1 and 2 workers when the work splits without overhead. */
  cpuMsPerImage: number;
  /** The 1-minute load average when the run started (other work on the machine). */
  loadAverage: number;
}
const runs: Run[] = [];
try {
  for (const workers of counts) {
    const load = loadavg()[0];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let first = 0, n = 0, failed = 0;
    for await (const r of predictFiles(files, { workers, weights })) {
      if (n === 0) first = performance.now();
      n++;
      if (r.status === 'error') failed++;
    }
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const run: Run = {
      workers, files: n, seconds: round((t1 - t0) / 1000, 2), imagesPerSecond: round(n / ((t1 - t0) / 1000), 1),
      steadyImagesPerSecond: round((n - 1) / ((t1 - first) / 1000), 1), failed,
      cpuMsPerImage: round((cpu.user + cpu.system) / 1000 / n, 2), loadAverage: round(load, 2),
    };
    runs.push(run);
    console.log(`${workers} worker${workers > 1 ? 's' : ''}: ${n} files in ${run.seconds}s = ${run.imagesPerSecond} images/s end to end (${run.steadyImagesPerSecond} after the first result), ${run.cpuMsPerImage} ms CPU per image, load average ${run.loadAverage} at the start${failed ? `, ${failed} failed` : ''}`);
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
const one = runs.find((r) => r.workers === 1);
const most = runs.reduce((a, b) => (b.workers > a.workers ? b : a));
const speedup = one && most !== one ? round(most.imagesPerSecond / one.imagesPerSecond, 2) : undefined;
if (speedup !== undefined) console.log(`speed-up, ${most.workers} workers vs 1: ${speedup}× end to end, ${round(most.steadyImagesPerSecond / one!.steadyImagesPerSecond, 2)}× steady`);
if (values.json) emitJson({ runs, speedup, model, cores: cpus().length });
