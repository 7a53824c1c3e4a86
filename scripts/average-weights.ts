/**
 * Averages the weights of saved models of one architecture: stochastic weight averaging over the
 * last epochs of one run (Izmailov et al., 2018), or a "model soup" of fine-tunes of one start
 * (Wortsman et al., 2022). Every weight, batch-norm moving statistics included, becomes the plain
 * mean; the architecture, size and speed are those of one model.
 *
 *   npx tsx scripts/average-weights.ts --out runs/x/swa runs/x-epochs/epoch-10 runs/x-epochs/epoch-11 …
 *
 * `--bn-data <dir>` then re-estimates every batch-norm layer's moving statistics on Training images
 * of that folder (`recomputeBatchNorm`: the averaged convolutions do not produce the averaged
 * statistics): `--bn-images <n>` of them (default 8192, a seeded random subset), augmented as in
 * the recipe `--bn-config <file.json>` names (its `"augment"`), else as they are.
 *
 * Then `fer-cnn-lstm evaluate --weights <out> --data … --split PublicTest` scores it.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { tf } from '../src/backends/tf.js';
import { augment, checkAugmentOptions, type AugmentOptions } from '../src/data/augment.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { loadModel, saveModel } from '../src/model/io.js';
import { recomputeBatchNorm } from '../src/training/batch-norm-stats.js';
import { Random } from '../src/util/random.js';

const { values, positionals } = parseArgs({
  options: { out: { type: 'string' }, 'bn-data': { type: 'string' }, 'bn-images': { type: 'string', default: '8192' }, 'bn-config': { type: 'string' } },
  allowPositionals: true,
});
const fail = (message: string): never => {
  console.error(`average-weights: ${message}`);
  process.exit(1);
};
if (!values.out || positionals.length < 1 || (positionals.length < 2 && !values['bn-data'])) {
  console.error('usage: npx tsx scripts/average-weights.ts --out <dir> [--bn-data <dir> [--bn-images n] [--bn-config recipe.json]] <model dir> <model dir> [...]');
  console.error('       (one model dir only with --bn-data: its batch-norm statistics re-estimated)');
  process.exit(2);
}
const bnImages = Number(values['bn-images']);
if (!Number.isInteger(bnImages) || bnImages < 1) fail(`--bn-images must be a positive integer, got ${values['bn-images']}`);
let bnAugment: AugmentOptions | undefined;
if (values['bn-config']) {
  try {
    bnAugment = (JSON.parse(readFileSync(values['bn-config'], 'utf8')) as { augment?: AugmentOptions }).augment;
    if (bnAugment) checkAugmentOptions(bnAugment);
  } catch (e) {
    fail(`${values['bn-config']}: ${(e as Error).message}`);
  }
}
await selectBackend('wasm');
const models: Awaited<ReturnType<typeof loadModel>>[] = [];
for (const p of positionals) {
  // one line, not the stack: tfjs' wasm module rethrows uncaught errors with its whole source line
  models.push(await loadModel(p).catch((e: Error) => fail(e.message)));
}
const [first, ...rest] = models;
// loaded copies get uniquified weight names (conv2d_1 and conv2d_1_1): compare the layers' classes and the shapes
const signature = (m: typeof first) => `${m.layers.map((l) => l.getClassName()).join(',')}|${m.weights.map((w) => w.shape.join('x')).join(',')}`;
for (const [i, m] of rest.entries()) {
  if (signature(m) !== signature(first)) {
    console.error(`average-weights: ${positionals[i + 1]}: not the architecture of ${positionals[0]} (its layers or weight shapes differ)`);
    process.exit(1);
  }
}
tf.tidy(() => {
  first.weights.forEach((w, j) => {
    const sum = models.reduce<tf.Tensor>((acc, m) => tf.add(acc, m.weights[j].read()), tf.zerosLike(w.read()));
    w.write(tf.div(sum, models.length));
  });
});
let batchNorm: { layers: number; images: number; augment: AugmentOptions | null; data: string } | undefined;
if (values['bn-data']) {
  const train = (await FerDataset.fromDirectory(values['bn-data']).catch((e: Error) => fail(e.message))).filter('Training');
  if (train.length === 0) fail(`${values['bn-data']}: no Training images`);
  const pick = new Random(1).shuffle(Int32Array.from({ length: train.length }, (_, i) => i)).subarray(0, Math.min(bnImages, train.length));
  const sub = train.subset(pick);
  let seed = 1;
  const r = recomputeBatchNorm(first, sub.images, sub.size, bnAugment ? { transform: (x) => augment(x, { ...bnAugment, seed: seed++ }) } : {});
  batchNorm = { layers: r.layers.length, images: r.images, augment: bnAugment ?? null, data: values['bn-data'] };
}
// the command that made it, for the release's model card
const command = `npx tsx scripts/average-weights.ts ${process.argv.slice(2).join(' ')}`;
const made = { averageOf: positionals, command, ...(batchNorm ? { batchNormRecomputed: batchNorm } : {}) };
await saveModel(first, values.out, made);
console.log(JSON.stringify({ out: values.out, ...made }));
