/**
 * Evaluates a saved model on PublicTest with an extra Gaussian blur applied to the test images
 * only (docs/experiments.md §1): tests whether the Training copy is a blurred version of sharp faces.
 *
 *   npx tsx scripts/probe-preblur.ts [--model weights] [--data ../shared/datasets/fer2013] [--sigmas 0,2,3,3.4]
 */
import { parseArgs } from 'node:util';
import { setBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { loadModel } from '../src/model/io.js';
import { gaussianBlurPixels } from '../src/data/blur.js';
import { evaluate } from '../src/evaluation/evaluate.js';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'weights' },
  data: { type: 'string', default: '../shared/datasets/fer2013' },
  sigmas: { type: 'string', default: '0,2,3,3.4,4' },
} });
await setBackend('wasm');
const model = await loadModel(values.model!);
const test = (await FerDataset.fromDirectory(values.data!)).filter('PublicTest');
for (const sigma of values.sigmas!.split(',').map(Number)) {
  const blurred = FerDataset.fromArrays(gaussianBlurPixels(test.images, test.size, sigma), test.labels, { classes: test.classes, size: test.size });
  console.log(JSON.stringify({ sigma, accuracy: +(await evaluate(model, blurred)).accuracy.toFixed(4) }));
}
