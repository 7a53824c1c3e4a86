/**
 * A short, recorded ablation run (docs/experiments.md §2 "probes"): trains a model on a spread
 * subset of the Training images for a few epochs and scores it on the whole PublicTest split.
 *
 *   npx tsx scripts/probe.ts '{"name":"b","model":{"downsample":2},"train":{"epochs":3},"images":10000}'
 *
 * `model` goes to buildCnnLstm, `train` to train() (defaults below: 2 workers, batch 64, the
 * shipped augmentation, label smoothing 0.1, Adam 1e-3); `images` is the training subset size.
 * Prints one JSON line per epoch and a final summary line.
 */
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { buildCnnLstm } from '../src/model/cnn-lstm.js';
import { train, type TrainOptions } from '../src/training/train.js';
import { evaluate } from '../src/evaluation/evaluate.js';

interface Probe { name?: string; model?: Record<string, unknown>; train?: Partial<TrainOptions>; images?: number }
const probe: Probe = JSON.parse(process.argv[2] ?? '{}');
await selectBackend('wasm');
const all = await FerDataset.fromDirectory(process.env.FER2013_DIR ?? '../shared/datasets/fer2013');
const tr = all.filter('Training');
const te = all.filter('PublicTest');
const n = Math.min(probe.images ?? tr.length, tr.length);
const sub = n === tr.length ? tr : tr.subset(Array.from({ length: n }, (_, i) => Math.floor((i * tr.length) / n)));
const model = buildCnnLstm({ seed: 1, ...probe.model });
const t0 = Date.now();
const result = await train(model, sub, {
  epochs: 3, workers: 2, validation: te, labelSmoothing: 0.1, seed: 42,
  ...probe.train,
  onEpochEnd: (l) => console.log(JSON.stringify({ name: probe.name, epoch: l.epoch, loss: +l.loss.toFixed(4), acc: +l.accuracy.toFixed(4), valAcc: +l.valAccuracy!.toFixed(4), s: Math.round(l.seconds), ips: Math.round(l.imagesPerSecond) })),
} as TrainOptions);
const best = await evaluate(model, te);
console.log(JSON.stringify({ summary: probe.name, probe, params: model.countParams(), minutes: +((Date.now() - t0) / 60000).toFixed(1),
  bestEpoch: result.bestEpoch, finalPublicTest: +best.accuracy.toFixed(4), macroF1: +best.macroF1.toFixed(4) }));
