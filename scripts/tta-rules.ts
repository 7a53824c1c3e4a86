/**
 * Scores test-time augmentation rules on PublicTest from one pass over each image and one over its
 * mirror: one view, flip TTA, and `tta: 'auto'` at several confidence thresholds (the mirror only
 * where the first view's top probability is below it), each with the share of images mirrored.
 * The probabilities are tempered first with the temperature the release would bake in (fitted on
 * one view), since the threshold acts on the shipped, tempered model.
 *
 *   npx tsx scripts/tta-rules.ts --data ../shared/datasets/fer2013 <weights dir> [<weights dir> …] [--thresholds 0.45,0.5,0.55,0.6]
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { applyTemperature, fitTemperature } from '../src/evaluation/calibration.js';
import { loadModel } from '../src/model/io.js';
import { modelProbabilities as predictPixels } from '../src/inference/classifier.js';

const { values, positionals } = parseArgs({
  options: { data: { type: 'string', default: '../shared/datasets/fer2013' }, thresholds: { type: 'string', default: '0.45,0.5,0.55,0.6' } },
  allowPositionals: true,
});
const thresholds = values.thresholds!.split(',').map(Number);
if (positionals.length === 0 || thresholds.some((t) => !(t > 0 && t < 1))) {
  console.error('usage: npx tsx scripts/tta-rules.ts --data <fer2013 dir> <weights dir>… [--thresholds 0.45,0.5]  (thresholds in (0, 1))');
  process.exit(2);
}
await selectBackend('wasm');
const data = (await FerDataset.fromDirectory(values.data!)).filter('PublicTest');
const s = data.size;
const px = s * s;
const n = data.length;
const mirrored = new Uint8Array(data.images.length);
for (let i = 0; i < n; i++) for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) mirrored[i * px + y * s + x] = data.images[i * px + y * s + (s - 1 - x)];

for (const weights of positionals) {
  const model = await loadModel(weights);
  const k = (model.outputs[0].shape as number[])[1];
  const argmax = (p: Float32Array, i: number) => { let b = 0; for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + b]) b = j; return b; };
  const accuracy = (pick: (i: number) => number) => { let c = 0; for (let i = 0; i < n; i++) if (pick(i) === data.labels[i]) c++; return c / n; };
  const raw = predictPixels(model, data.images, s, 256);
  const temperature = fitTemperature(raw, data.labels, k);
  const one = applyTemperature(raw, k, temperature);
  const mirror = applyTemperature(predictPixels(model, mirrored, s, 256), k, temperature);
  const both = one.map((v, i) => (v + mirror[i]) / 2);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const rules = thresholds.map((t) => {
    let mirroredCount = 0;
    const a = accuracy((i) => { if (one[i * k + argmax(one, i)] >= t) return argmax(one, i); mirroredCount++; return argmax(both, i); });
    return { threshold: t, accuracy: a, mirrored: mirroredCount / n };
  });
  console.log(`${weights}: temperature ${temperature.toFixed(3)}; one view ${pct(accuracy((i) => argmax(one, i)))}, flip ${pct(accuracy((i) => argmax(both, i)))}; `
    + rules.map((r) => `auto ${r.threshold}: ${pct(r.accuracy)} (${(r.mirrored * 100).toFixed(0)}% mirrored)`).join(', '));
  model.dispose();
}
