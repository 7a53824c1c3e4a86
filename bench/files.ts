/**
 * Batch prediction speed, end to end from image files on disk: `predictFiles` (worker pool,
 * decoding and predicting in every worker) over FER-2013's 3,589 PublicTest JPEGs, with 1 worker
 * and with 2 (or `--workers 1,2,4`), in alternating rounds.
 *
 *   npm run bench:files -- [--json] [--dir ../shared/datasets/fer2013] [--workers 1,2] [--rounds 5] [--chunk-size 32] [--weights <dir>] [--limit N]
 *
 * It runs the built package (`dist/`, as an installed one runs: the npm script builds it first),
 * since worker threads started from the sources would compile TypeScript at every start.
 * Each run starts its own pool, so the time includes the workers' start (backend and model
 * loading); `steady` is the rate after the first result. The machine's speed drifts by 10–20%
 * between runs, so the worker counts alternate, `--rounds` times, and the speed-up is the median
 * of the rounds' ratios. Prints a line per run, the CPU time per image (all threads: equal for 1
 * and 2 workers when the work splits without overhead) and the load average (other work on the
 * machine), and last one JSON object. Without the folder it says so and exits 0.
 * Uses the shipped weights (or `--weights`); where they cannot be loaded, a freshly built model of
 * the default architecture (the same work per image), said in the output.
 *
 * @packageDocumentation
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { emitJson, median, round } from './util.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    dir: { type: 'string', default: process.env.FER2013_DIR ?? '../shared/datasets/fer2013' },
    workers: { type: 'string', default: '1,2' },
    weights: { type: 'string' },
    limit: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    'chunk-size': { type: 'string' },
  },
});
const built = new URL('../dist/batch.js', import.meta.url);
if (!existsSync(built)) throw new Error(`${built.pathname} is missing: run \`npm run build\` first (\`npm run bench:files\` does)`);
// the types of the sources, the code of the build (a plain specifier would make tsc need dist/)
const { listImageFiles, predictFiles } = (await import(built.href)) as typeof import('../src/batch/index.js');
const test = join(resolve(values.dir!), 'test');
if (!existsSync(test)) {
  const reason = `no PublicTest images at ${test} (pass --dir <folder with test/<emotion>/*.jpg> or set FER2013_DIR)`;
  console.log(`skipped: ${reason}`);
  if (values.json) emitJson({ runs: [], skipped: reason });
  process.exit(0);
}
const counts = values.workers!.split(',').map(Number);
if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--workers must be a comma-separated list of integers ≥ 1, got ${values.workers}`);
const rounds = Number(values.rounds);
const chunkSize = values['chunk-size'] === undefined ? undefined : Number(values['chunk-size']);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer ≥ 1, got ${values.rounds}`);

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
  round: number; workers: number; files: number; seconds: number; imagesPerSecond: number; steadyImagesPerSecond: number; failed: number;
  /** CPU seconds of this process (all its threads) per image: the same for 1 and 2 workers when the work splits without overhead. */
  cpuMsPerImage: number;
  /** The 1-minute load average when the run started (other work on the machine). */
  loadAverage: number;
}
const runs: Run[] = [];
try {
  for (let k = 1; k <= rounds; k++) {
    for (const workers of counts) {
      const load = loadavg()[0];
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let first = 0, n = 0, failed = 0;
      for await (const r of predictFiles(files, { workers, weights, chunkSize })) {
        if (n === 0) first = performance.now();
        n++;
        if (r.status === 'error') failed++;
      }
      const t1 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      const run: Run = {
        round: k, workers, files: n, seconds: round2((t1 - t0) / 1000), imagesPerSecond: round(n / ((t1 - t0) / 1000), 1),
        steadyImagesPerSecond: round((n - 1) / ((t1 - first) / 1000), 1), failed,
        cpuMsPerImage: round2((cpu.user + cpu.system) / 1000 / n), loadAverage: round2(load),
      };
      runs.push(run);
      console.log(`round ${k}, ${workers} worker${workers > 1 ? 's' : ''}: ${n} files in ${run.seconds}s = ${run.imagesPerSecond} images/s end to end (${run.steadyImagesPerSecond} after the first result), ${run.cpuMsPerImage} ms CPU per image, load average ${run.loadAverage} at the start${failed ? `, ${failed} failed` : ''}`);
    }
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}

function round2(x: number): number {
  return round(x, 2);
}
/** Per worker count, the median over the rounds. */
const summary = counts.map((workers) => {
  const mine = runs.filter((r) => r.workers === workers);
  return { workers, imagesPerSecond: round(median(mine.map((r) => r.imagesPerSecond)), 1), steadyImagesPerSecond: round(median(mine.map((r) => r.steadyImagesPerSecond)), 1) };
});
const most = Math.max(...counts);
let speedup: number | undefined, steadySpeedup: number | undefined, roundSpeedups: number[] | undefined;
if (counts.includes(1) && most > 1) {
  const pair = (r: number, key: 'imagesPerSecond' | 'steadyImagesPerSecond') => {
    const of = (w: number) => runs.find((x) => x.round === r && x.workers === w)![key];
    return of(most) / of(1);
  };
  const ids = [...Array(rounds).keys()].map((i) => i + 1);
  roundSpeedups = ids.map((r) => round2(pair(r, 'imagesPerSecond')));
  speedup = round2(median(roundSpeedups));
  steadySpeedup = round2(median(ids.map((r) => pair(r, 'steadyImagesPerSecond'))));
  for (const s of summary) console.log(`${s.workers} worker${s.workers > 1 ? 's' : ''}, median of ${rounds}: ${s.imagesPerSecond} images/s end to end, ${s.steadyImagesPerSecond} steady`);
  console.log(`speed-up, ${most} workers vs 1 (median of the ${rounds} rounds' ratios ${roundSpeedups.join(', ')}): ${speedup}× end to end, ${steadySpeedup}× steady`);
}
if (values.json) emitJson({ runs, summary, speedup, steadySpeedup, roundSpeedups, model, cores: cpus().length });
