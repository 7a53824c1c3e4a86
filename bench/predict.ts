/**
 * Inference speed of the default model.
 *
 *   npm run bench:predict -- [--json] [--backend wasm] [--iterations 10] [--single 50] [--batch-size 64]
 *
 * Uses the shipped weights when `weights/model.json` exists, else an untrained default model (same
 * architecture, same cost). Measures `model.predict` throughput at batch 64 and the latency of one
 * image at batch 1, after warm-up calls. Prints human-readable lines and, last, one JSON object:
 * `{"imagesPerSecond","msPerImage","backend"}`.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tf, tfl } from '../src/backends/tf.js';
import { selectBackend } from '../src/backends/select.js';
import { buildCnnLstm } from '../src/model/cnn-lstm.js';
import { loadModel } from '../src/model/io.js';
import { emitJson, modelCost, positiveInt, round } from './util.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backend: { type: 'string' },
    weights: { type: 'string', default: 'weights' },
    iterations: { type: 'string' },
    single: { type: 'string' },
    'batch-size': { type: 'string' },
  },
});
const iterations = Math.max(1, positiveInt('iterations', values.iterations, 10));
const single = Math.max(1, positiveInt('single', values.single, 50));
const batchSize = Math.max(1, positiveInt('batch-size', values['batch-size'], 64));

const backend = await selectBackend(values.backend);
let model: tfl.LayersModel;
const weightsFile = `${values.weights}/model.json`;
if (existsSync(weightsFile)) {
  model = await loadModel(values.weights!);
  console.log(`model: shipped weights from ${weightsFile}`);
} else {
  model = buildCnnLstm({ seed: 1 });
  console.log(`model: untrained default buildCnnLstm() (no ${weightsFile}; same architecture and cost as the shipped model)`);
}
const cost = modelCost(model);
console.log(`model cost: ${(cost.params / 1e6).toFixed(3)}M params, ${cost.mflopsPerImage} MFLOPs/image; backend: ${backend}`);
const size = (model.inputs[0].shape as number[])[1];

/** Seconds per `predict` call on a batch of `n`, averaged over `calls` after 2 warm-up calls. */
function secondsPerCall(n: number, calls: number): number {
  const x = tf.randomUniform([n, size, size, 1], 0, 1, 'float32', 1);
  const once = () => {
    const y = model.predict(x) as tf.Tensor;
    y.dataSync();
    y.dispose();
  };
  once();
  once();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) once();
  const seconds = (performance.now() - t0) / 1000 / calls;
  x.dispose();
  return seconds;
}

const batchSeconds = secondsPerCall(batchSize, iterations);
const imagesPerSecond = batchSize / batchSeconds;
console.log(`batch ${batchSize}: ${imagesPerSecond.toFixed(1)} images/s (${(batchSeconds * 1000).toFixed(1)} ms per batch, ${iterations} calls)`);
const msPerImage = secondsPerCall(1, single) * 1000;
console.log(`batch 1: ${msPerImage.toFixed(2)} ms per image (${single} calls)`);
model.dispose();

if (values.json) emitJson({ imagesPerSecond: round(imagesPerSecond, 1), msPerImage: round(msPerImage, 3), backend });
