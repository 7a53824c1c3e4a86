/**
 * Finds every face in a full photo and classifies each one's emotion (`detectEmotions`).
 *
 *   npx tsx examples/detect.ts [model-folder] [photo]
 *
 * `model-folder` (optional; `-` for the shipped weights) is an emotion model of your own (a folder
 * with `model.json`, as `train` saves); `photo` defaults to `images/astronaut.png`. The face
 * detector's weights ship in the package: no other package, no network.
 */
import { fileURLToPath } from 'node:url';
import { detectEmotions, FaceDetectorMissingError, shippedWeightsLocation } from '../src/index.js'; // in your project: from 'fer-cnn-lstm'

const weights = process.argv[2] === '-' ? undefined : process.argv[2];
const photo = process.argv[3] ?? fileURLToPath(new URL('./images/astronaut.png', import.meta.url));
if (weights === undefined && (await shippedWeightsLocation()) === undefined) {
  console.error('The shipped weights (weights/model.json) are missing: train and release them first, or pass a model folder.');
  process.exit(1);
}

try {
  const faces = await detectEmotions(photo, { weights, minFaceScore: 0.5 });
  console.log(`faces: ${faces.length}`);
  faces.forEach(({ box, faceScore, emotion, confidence, scores }, i) => {
    const r = (v: number): number => Math.round(v);
    console.log(`face ${i + 1}: box x=${r(box.x)} y=${r(box.y)} width=${r(box.width)} height=${r(box.height)} (face score ${faceScore.toFixed(2)})`);
    console.log(`  emotion: ${emotion} (${confidence.toFixed(3)})`);
    for (const [name, p] of Object.entries(scores)) console.log(`    ${name.padEnd(8)} ${p.toFixed(3)} ${'#'.repeat(Math.round(p * 40))}`);
  });
} catch (e) {
  if (!(e instanceof FaceDetectorMissingError)) throw e;
  console.error(e.message);
  process.exit(1);
}
