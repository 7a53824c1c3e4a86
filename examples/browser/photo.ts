/**
 * Photos (uploads and samples): every face found, classified, and drawn as a box with its label
 * on the photo (`#photo`, a canvas of the photo's size, scaled down by CSS).
 *
 * @packageDocumentation
 */
import { classifyEmotion, detectEmotions } from 'fer-cnn-lstm';
import { isFaceCrop } from 'fer-cnn-lstm/detection';
import { drawEmotions } from 'fer-cnn-lstm/viz';
import { $, type PageModel } from './page.js';
import { showFaces, showNoFace, type ShownFace } from './result.js';

/** Counts the photos asked for: the answer for one that was replaced while it was analysed is dropped. */
let asked = 0;

/** Small photos (a 48×48 face crop) are drawn this many pixels wide at least, so that their label fits. */
const MIN_SHOWN_SIDE = 256;

/**
 * The faces of a photo (a canvas of its natural size), best detection first: with the face
 * detector, every face the detector finds, except in a face crop (square, at most 96 px: the
 * library's `faces: 'auto'` rule), which is classified as it is; without the detector, the
 * whole photo is classified as a face crop. A box of the whole photo stands for a face crop.
 */
export async function facesOf(photo: HTMLCanvasElement, model: PageModel): Promise<ShownFace[]> {
  const { weights, backend, detector } = model;
  if (!detector || isFaceCrop(photo.width, photo.height)) {
    const c = await classifyEmotion(photo, { weights, backend, faces: detector ? 'auto' : 'crop' });
    return [{ box: { x: 0, y: 0, width: photo.width, height: photo.height }, emotion: c.emotion, confidence: c.confidence, scores: c.scores }];
  }
  return detectEmotions(photo, { weights, backend, detector });
}

/**
 * Draws `photo` on `#photo` (its natural size, enlarged by a whole factor when small) and each
 * face's box and label over it. The factor is in the canvas's `data-scale` (for the tests).
 */
export function drawPhoto(photo: HTMLCanvasElement, faces: readonly ShownFace[]): void {
  const canvas = $<HTMLCanvasElement>('photo');
  const scale = Math.max(1, Math.floor(MIN_SHOWN_SIDE / Math.max(photo.width, photo.height)));
  canvas.width = photo.width * scale;
  canvas.height = photo.height * scale;
  canvas.dataset.scale = String(scale);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = scale === 1; // a small crop's pixels stay sharp
  ctx.drawImage(photo, 0, 0, canvas.width, canvas.height);
  drawEmotions(canvas, faces, { scale });
  canvas.hidden = false;
}

/** Hides `#photo` (before the first photo, and after one that failed). */
export function hidePhoto(): void {
  const canvas = $<HTMLCanvasElement>('photo');
  canvas.hidden = true;
  canvas.width = canvas.height = 0;
}

/**
 * Analyses a photo and shows it: the photo with its faces' boxes and labels, and in the result
 * panel the number of faces and the scores of the most prominent one, or "no face found".
 * `photo` may still be loading (a decoding upload). `source` names it in the result
 * (`image portrait.jpg`, `sample group`). Resolves to false, showing nothing and throwing
 * nothing, when another photo was asked for in the meantime.
 */
export async function showPhoto(photo: HTMLCanvasElement | Promise<HTMLCanvasElement>, source: string, model: PageModel): Promise<boolean> {
  const mine = ++asked;
  let faces: ShownFace[], loaded: HTMLCanvasElement;
  try {
    loaded = await photo;
    faces = await facesOf(loaded, model);
  } catch (e) {
    if (mine !== asked) return false;
    throw e;
  }
  if (mine !== asked) return false;
  drawPhoto(loaded, faces);
  if (faces.length === 0) showNoFace(source, 'no face found');
  else showFaces(source, faces);
  return true;
}
