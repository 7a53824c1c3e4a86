/**
 * Helper shared by the examples (not an example itself): variants of the public-domain example
 * face `images/astronaut-face.png` — shifted, mirrored, brighter or darker — as 48×48 gray
 * images, to stand in for a folder of faces or the frames of a video.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeImage, toGraySquare } from '../src/detection/index.js'; // in your project: from 'fer-cnn-lstm/detection'

/** Path of the example face. */
export const FACE_PATH = fileURLToPath(new URL('./images/astronaut-face.png', import.meta.url));

/** How to vary the face. */
export interface FaceVariant {
  /** Mirror left–right. */
  flip?: boolean;
  /** Crop offsets 0–8 px in a 56 px image (4 = centred). */
  dx?: number;
  dy?: number;
  /** Brightness factor (1 = unchanged). */
  brightness?: number;
}

const BIG = 56;
const SIZE = 48;
let base: Uint8Array | undefined;

/** The example face as `48 × 48` gray bytes, varied as asked. */
export function faceVariant({ flip = false, dx = 4, dy = 4, brightness = 1 }: FaceVariant = {}): Uint8Array {
  base ??= toGraySquare(decodeImage(readFileSync(FACE_PATH)), BIG).pixels;
  const out = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const sx = flip ? SIZE - 1 - x : x;
      const v = base[(y + dy) * BIG + sx + dx] * brightness;
      out[y * SIZE + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return out;
}
