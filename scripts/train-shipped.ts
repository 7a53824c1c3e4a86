/**
 * Trains the model that `weights/` ships, resumably.
 *
 *   npx tsx scripts/train-shipped.ts --data ../shared/datasets/fer2013 --out runs/shipped [--epochs 60]
 *
 * Re-running the same command resumes from the last finished epoch in --out.
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { buildCnnLstm, type CnnLstmOptions } from '../src/model/cnn-lstm.js';
import { train } from '../src/training/train.js';

const { values } = parseArgs({ options: {
  data: { type: 'string', default: '../shared/datasets/fer2013' },
  out: { type: 'string', default: 'runs/shipped' },
  epochs: { type: 'string', default: '60' },
  workers: { type: 'string', default: '2' },
  model: { type: 'string', default: '{}' },
  lr: { type: 'string', default: '0.001' },
  'label-smoothing': { type: 'string', default: '0.1' },
  limit: { type: 'string' },
} });
await selectBackend('wasm');
let data = await FerDataset.fromDirectory(values.data!);
if (values.limit) {
  const n = Number(values.limit);
  const tr = data.filter('Training'), te = data.filter('PublicTest');
  data = FerDataset.fromArrays(new Uint8Array([...tr.images.subarray(0, n * 2304), ...te.images.subarray(0, Math.floor(n / 4) * 2304)]),
    [...tr.labels.subarray(0, n), ...te.labels.subarray(0, Math.floor(n / 4))],
    { splits: [...new Array(n).fill(0), ...new Array(Math.floor(n / 4)).fill(1)] });
}
console.log(`data: ${data.length} images, ${JSON.stringify(data.splitCounts())}, load ${data.summary.seconds}s (cached: ${data.summary.cached})`);
const modelOptions: CnnLstmOptions = { seed: 1, ...JSON.parse(values.model!) };
const model = buildCnnLstm(modelOptions);
const epochs = Number(values.epochs);
const result = await train(model, data, {
  epochs, batchSize: 64, learningRate: Number(values.lr), workers: Number(values.workers),
  schedule: { type: 'cosine', warmupEpochs: 1, minLr: 1e-5 },
  labelSmoothing: Number(values['label-smoothing']),
  augment: { rotation: 10, zoom: 0.1, shift: 0.1, flip: true },
  checkpointDir: values.out, resume: true,
  config: { model: modelOptions, command: process.argv.slice(2).join(' ') },
  onBatchEnd: (p) => {
    if (p.batch % 20 === 0 || p.batch === p.batches) {
      process.stdout.write(`epoch ${p.epoch} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} acc ${p.accuracy.toFixed(4)} lr ${p.learningRate.toExponential(2)} ${p.imagesPerSecond.toFixed(1)} img/s eta ${p.etaSeconds.toFixed(0)}s\n`);
    }
  },
  onEpochEnd: (l) => console.log(`EPOCH ${JSON.stringify(l)}`),
});
console.log(`done: best epoch ${result.bestEpoch} val acc ${result.bestValAccuracy} (${result.stopReason})`);
