/**
 * Evaluates a saved model on PublicTest with an extra Gaussian blur applied to the test images
 * only (docs/experiments.md §1): tests whether the Training copy is a blurred version of sharp faces.
 *
 *   npx tsx scripts/probe-preblur.ts [--model weights] [--data ../shared/datasets/fer2013] [--sigmas 0,2,3,3.4]
 */
import { parseArgs } from 'node:util';
import { tf } from '../src/backends/tf.js';
import { setBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { loadModel } from '../src/model/io.js';
import { gaussianBlurPixels } from '../src/data/blur.js';
import { predictPixels } from '../src/training/loss.js';
import { argmaxRows } from '../src/evaluation/metrics.js';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'weights' },
  data: { type: 'string', default: '../shared/datasets/fer2013' },
  sigmas: { type: 'string', default: '0,2,3,3.4,4' },
} });
await setBackend('wasm');
const model = await loadModel(values.model!);
const test = (await FerDataset.fromDirectory(values.data!)).filter('PublicTest');
for (const sigma of values.sigmas!.split(',').map(Number)) {
  const pixels = sigma > 0 ? gaussianBlurPixels(test.images, test.size, sigma) : test.images;
  const predicted = argmaxRows(predictPixels(model, pixels, test.size, 256), test.classes.length);
  let correct = 0;
  for (let i = 0; i < test.length; i++) if (predicted[i] === test.labels[i]) correct++;
  console.log(JSON.stringify({ sigma, accuracy: +(correct / test.length).toFixed(4) }));
}
void tf;
