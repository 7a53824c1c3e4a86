/**
 * A quick probe (docs/experiments.md probes B/C): a small CNN-LSTM trained 3 epochs on 6,000
 * Training images without augmentation, with and without the input canonicalization, scored on
 * 1,000 PublicTest images spread over the split.
 *
 *   npx tsx scripts/probe-canonicalization.ts '{"standardize":true,"blurSigma":3}'
 *   npx tsx scripts/probe-canonicalization.ts '{"standardize":false,"blurSigma":0}'
 */
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { buildCnnLstm } from '../src/model/cnn-lstm.js';
import { train } from '../src/training/train.js';

await selectBackend('wasm');
const all = await FerDataset.fromDirectory(process.env.FER2013_DIR ?? '../shared/datasets/fer2013');
const tr = all.filter('Training');
const te = all.filter('PublicTest');
const sub = tr.subset(Array.from({ length: 6000 }, (_, i) => i * 4));
const val = te.subset(Array.from({ length: 1000 }, (_, i) => Math.floor((i * te.length) / 1000)));
const opts = JSON.parse(process.argv[2] ?? '{}');
const model = buildCnnLstm({ filters: [16, 32, 64], convsPerBlock: 1, lstmUnits: 64, denseUnits: 64, seed: 1, ...opts });
await train(model, sub, {
  epochs: 3, workers: 0, validation: val, augment: false,
  onEpochEnd: (l) => console.log(JSON.stringify(opts), 'epoch', l.epoch, 'train', l.accuracy.toFixed(3), 'val', l.valAccuracy!.toFixed(3)),
});
