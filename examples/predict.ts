/**
 * Predicts the emotion of the example face with the shipped pretrained model.
 *
 *   npx tsx examples/predict.ts [model-folder]
 *
 * `model-folder` (optional) is a model of your own (a folder with `model.json`, as `train` saves).
 */
import { fileURLToPath } from 'node:url';
import { classifyEmotion, shippedWeightsLocation } from '../src/index.js'; // in your project: from 'fer-cnn-lstm'

const weights = process.argv[2];
if (weights === undefined && (await shippedWeightsLocation()) === undefined) {
  console.error('The shipped weights (weights/model.json) are missing: train and release them first, or pass a model folder.');
  process.exit(1);
}

const image = fileURLToPath(new URL('./images/astronaut-face.png', import.meta.url));
const { emotion, confidence, scores } = await classifyEmotion(image, { weights });

console.log(`emotion: ${emotion}`);
console.log(`confidence: ${confidence.toFixed(3)}`);
console.log('scores:');
for (const [name, p] of Object.entries(scores)) {
  console.log(`  ${name.padEnd(8)} ${p.toFixed(3)} ${'#'.repeat(Math.round(p * 40))}`);
}
