/**
 * Classifies a short "video" (frames made from the example face: drifting, mirrored, flickering
 * in brightness) and smooths the labels over time, as you would for a webcam.
 *
 *   npx tsx examples/stream.ts [model-folder]
 *
 * In a browser, `watchVideo(videoElement, ({ smoothed }) => …)` does the same live.
 */
import { shippedWeightsLocation, type ImageDataLike } from '../src/index.js'; // in your project: from 'fer-cnn-lstm'
import { classifyStream } from '../src/video/index.js'; // in your project: from 'fer-cnn-lstm/video'
import { faceVariant } from './faces.js';

const weights = process.argv[2];
if (weights === undefined && (await shippedWeightsLocation()) === undefined) {
  console.error('The shipped weights (weights/model.json) are missing: train and release them first, or pass a model folder.');
  process.exit(1);
}

function* frames(count: number): Generator<ImageDataLike> {
  for (let i = 0; i < count; i++) {
    const data = faceVariant({ dx: i % 9, dy: 4, flip: i % 3 === 2, brightness: i % 2 === 0 ? 1 : 0.6 });
    yield { width: 48, height: 48, data };
  }
}

for await (const { frame, raw, smoothed } of classifyStream(frames(12), { weights, method: 'ema', alpha: 0.3, hysteresis: 0.05 })) {
  console.log(`frame ${String(frame).padStart(2)}: raw ${raw.emotion.padEnd(8)} ${raw.confidence.toFixed(2)}   smoothed ${smoothed.emotion.padEnd(8)} ${smoothed.confidence.toFixed(2)}`);
}
