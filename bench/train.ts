/**
 * Training throughput of the default model, against stock TensorFlow.js.
 *
 *   npm run bench:train -- [--json] [--steps 20] [--warmup 10] [--workers W] [--batch-size 64]
 *                          [--baseline-steps 2] [--baseline-warmup 1] [--baseline-batch-size B] [--no-baseline]
 *                          [--model '{"convsPerBlock":1,"downsample":1}']   (another architecture)
 *
 * 1. This package's path: `train()` on the wasm backend with its kernels, fused batch norm and
 *    `--workers` gradient threads (default: one per core), default augmentation, on random
 *    48×48 images of 7 classes. The first `--warmup` steps are not timed: the workers reach their
 *    steady speed (JIT of the JavaScript kernels, XNNPACK caches) only after about ten steps, and
 *    a 2-step warm-up measured 116 images/s where a training epoch runs at 126–136.
 * 2. The baseline: the same model and `train()` loop on stock tfjs without any of this package's
 *    speed-ups — the cpu backend, in-process (`workers: 0`), tfjs-layers' batch norm
 *    (`fastBatchNorm: false`). It runs ~1 image/s, so it only takes a few steps.
 *
 * Prints human-readable lines and, last, one JSON object:
 * `{"imagesPerSecond","baselineImagesPerSecond","ratio","workers","batchSize","model"}`.
 *
 * @packageDocumentation
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { setBackend } from '../src/backends/select.js';
import { buildCnnLstm } from '../src/model/cnn-lstm.js';
import { train } from '../src/training/train.js';
import { emitJson, modelCost, parseModelOption, positiveInt, randomDataset, round } from './util.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    workers: { type: 'string' },
    'batch-size': { type: 'string' },
    'baseline-steps': { type: 'string' },
    'baseline-warmup': { type: 'string' },
    'baseline-batch-size': { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    model: { type: 'string' },
  },
});

const steps = Math.max(1, positiveInt('steps', values.steps, 20));
const warmup = positiveInt('warmup', values.warmup, 10);
const workers = positiveInt('workers', values.workers, Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
const batchSize = Math.max(1, positiveInt('batch-size', values['batch-size'], 64));
/** `--model '<json>'`: buildCnnLstm options of another architecture (default: the default model). */
const modelOptions = parseModelOption(values.model);
const baselineSteps = Math.max(1, positiveInt('baseline-steps', values['baseline-steps'], 2));
const baselineWarmup = positiveInt('baseline-warmup', values['baseline-warmup'], 1);
const baselineBatch = Math.max(1, positiveInt('baseline-batch-size', values['baseline-batch-size'], batchSize));

/**
 * Runs `train()` for `warmup + timed` steps of one epoch and returns the images per second of
 * the timed steps (from the end of the last warm-up step to the end of the last step).
 */
async function measure(label: string, timed: number, warm: number, batch: number, options: { workers: number; fastBatchNorm: boolean }): Promise<number> {
  const model = buildCnnLstm({ seed: 1, ...modelOptions });
  const data = randomDataset((warm + timed) * batch);
  let start = 0;
  let end = 0;
  const t0 = performance.now();
  await train(model, data, {
    epochs: 1, batchSize: batch, validation: false, seed: 1, ...options,
    onBatchEnd: (p) => {
      const now = performance.now();
      if (p.batch === warm) start = now;
      if (p.batch === warm + timed) end = now;
      const phase = p.batch <= warm ? 'warm-up' : 'timed';
      console.log(`  ${label}: step ${p.batch}/${p.batches} (${phase}) ${((now - t0) / 1000).toFixed(1)}s`);
    },
  });
  if (warm === 0) start = t0; // no warm-up: includes start-up costs
  model.dispose();
  return (timed * batch) / ((end - start) / 1000);
}

await setBackend('wasm');
const probe = buildCnnLstm({ seed: 1, ...modelOptions });
const cost = modelCost(probe);
probe.dispose();
const model = `buildCnnLstm(${values.model ?? ''}) ${values.model ? '' : 'default'}: ${(cost.params / 1e6).toFixed(3)}M params, ${cost.mflopsPerImage} MFLOPs/image forward`;
console.log(`model: ${model}`);
console.log(`fast path: wasm backend + fer-cnn-lstm kernels, ${workers} worker(s), batch ${batchSize}, ${warmup} warm-up + ${steps} timed steps, augmentation on`);

const imagesPerSecond = await measure('fast', steps, warmup, batchSize, { workers, fastBatchNorm: true });
console.log(`fast path: ${imagesPerSecond.toFixed(1)} images/s`);

let baselineImagesPerSecond: number | null = null;
if (!values['no-baseline']) {
  console.log(`baseline: stock tfjs cpu backend, in-process, tfjs-layers batch norm, batch ${baselineBatch}, ${baselineWarmup} warm-up + ${baselineSteps} timed steps`);
  await setBackend('cpu');
  baselineImagesPerSecond = await measure('baseline', baselineSteps, baselineWarmup, baselineBatch, { workers: 0, fastBatchNorm: false });
  console.log(`baseline: ${baselineImagesPerSecond.toFixed(2)} images/s`);
}
const ratio = baselineImagesPerSecond ? imagesPerSecond / baselineImagesPerSecond : null;
if (ratio !== null) console.log(`speed-up: ${ratio.toFixed(1)}×`);

if (values.json) {
  emitJson({
    imagesPerSecond: round(imagesPerSecond), baselineImagesPerSecond: baselineImagesPerSecond === null ? null : round(baselineImagesPerSecond, 3),
    ratio: ratio === null ? null : round(ratio, 1), workers, batchSize, model,
  });
}
