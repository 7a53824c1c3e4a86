/**
 * Evaluates the shipped model on a dataset in the Kaggle `fer2013.csv` format. The CSV is built
 * here, in a temporary folder, from variants of the example face (never FER-2013 images); with the
 * real file, pass its path to `FerDataset.fromCsv` instead.
 *
 *   npx tsx examples/evaluate-csv.ts [model-folder]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emotion, FerDataset, emotionToIndex, evaluate, loadEmotionModel, shippedWeightsLocation } from '../src/index.js'; // in your project: from 'fer-cnn-lstm'
import { faceVariant } from './faces.js';

const weights = process.argv[2];
if (weights === undefined && (await shippedWeightsLocation()) === undefined) {
  console.error('The shipped weights (weights/model.json) are missing: train and release them first, or pass a model folder.');
  process.exit(1);
}

// fer2013.csv: emotion (label 0–6), pixels (48×48 gray values, space-separated), Usage.
// The astronaut smiles, so every row is labelled Happy.
const rows = ['emotion,pixels,Usage'];
for (let i = 0; i < 12; i++) {
  const pixels = faceVariant({ flip: i % 2 === 1, dx: i % 9, dy: (i * 5) % 9, brightness: 0.8 + 0.05 * (i % 5) });
  rows.push(`${emotionToIndex(Emotion.Happy)},${pixels.join(' ')},${i < 8 ? 'PublicTest' : 'PrivateTest'}`);
}
const dir = mkdtempSync(join(tmpdir(), 'fer-example-csv-'));
const csv = join(dir, 'fer2013.csv');
writeFileSync(csv, rows.join('\n') + '\n');

try {
  const data = await FerDataset.fromCsv(csv);
  console.log(`loaded ${data.length} images:`, data.splitCounts());
  const model = await loadEmotionModel({ weights });
  const result = await evaluate(model, data, { split: 'PublicTest', tta: true });
  console.log('evaluate() on PublicTest:');
  console.dir(result, { depth: null });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
