/**
 * PublicTest accuracy of saved models alone, of every pair and of all of them together (their
 * class probabilities averaged): how much the models disagree, so whether an ensemble of them — as
 * a distillation teacher, say — would know more than its best member.
 *
 *   npx tsx scripts/ensemble-accuracy.ts --data ../shared/datasets/fer2013 [--split PublicTest] [--tta flip|ten-crop|none] <model dir> <model dir> [...]
 *
 * `--split test` with `--data ../shared/datasets/ckplus48` reports CK+ (evaluation only: choose on PublicTest).
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import type { SplitFilter } from '../src/data/splits.js';
import { argmaxRows } from '../src/evaluation/metrics.js';
import { loadModel } from '../src/model/io.js';
import { modelProbabilities as predictPixels } from '../src/inference/classifier.js';

const { values, positionals } = parseArgs({
  options: { data: { type: 'string' }, split: { type: 'string', default: 'PublicTest' }, tta: { type: 'string', default: 'flip' } },
  allowPositionals: true,
});
if (!values.data || positionals.length < 2 || !['flip', 'ten-crop', 'none'].includes(values.tta!)) {
  console.error('usage: npx tsx scripts/ensemble-accuracy.ts --data <dataset dir> [--split PublicTest] [--tta flip|ten-crop|none] <model dir> <model dir> [...]');
  process.exit(2);
}
const tta = values.tta === 'none' ? false : (values.tta as 'flip' | 'ten-crop');
await selectBackend('wasm');
const test = (await FerDataset.fromDirectory(values.data)).filter(values.split as SplitFilter);
if (test.length === 0) {
  console.error(`ensemble-accuracy: no images in split ${values.split} of ${values.data}`);
  process.exit(1);
}
const k = test.classes.length;
const accuracy = (probs: Float32Array) => {
  const predicted = argmaxRows(probs, k);
  return (100 * predicted.reduce((n, p, i) => n + (p === test.labels[i] ? 1 : 0), 0)) / test.length;
};
const probs: Float32Array[] = [];
for (const path of positionals) {
  const model = await loadModel(path).catch((e: Error) => {
    console.error(`ensemble-accuracy: ${e.message}`);
    process.exit(1);
  });
  probs.push(predictPixels(model, test.images, test.size, 256, tta));
  model.dispose();
  console.log(`${path}: ${accuracy(probs.at(-1)!).toFixed(2)}%`);
}
const mean = (members: number[]) => {
  const sum = new Float32Array(test.length * k);
  for (const m of members) for (let j = 0; j < sum.length; j++) sum[j] += probs[m][j] / members.length;
  return sum;
};
for (let a = 0; a < positionals.length; a++) {
  for (let b = a + 1; b < positionals.length; b++) console.log(`${positionals[a]} + ${positionals[b]}: ${accuracy(mean([a, b])).toFixed(2)}%`);
}
console.log(`all ${positionals.length}: ${accuracy(mean(positionals.map((_, i) => i))).toFixed(2)}% (${values.split}, ${test.length} images, ${values.tta === 'none' ? 'no' : values.tta} TTA)`);
