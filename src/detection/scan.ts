/**
 * Fitting a photo to the face detector's square input: which square windows of the photo are
 * scanned ({@link scanWindows}, tiles for small faces), and how one window is sampled into the
 * detector's RGB input ({@link letterbox}).
 *
 * @packageDocumentation
 */
import type { Raster } from '../data/image.js';

/** Faces down to this fraction of the detector's field of view are found reliably (measured: 1/22 found, 1/31 missed). */
export const MIN_FACE_FRACTION = 1 / 22;

/**
 * The smallest `minFaceSize` accepted: 20 pixels. Smaller faces hold too little detail for the
 * 48×48 emotion model, and the tiled scan grows with the square of the photo's side over
 * `minFaceSize` (`minFaceSize: 1` scanned a portrait for 37 s and found 8 "faces" in one).
 */
export const MIN_FACE_SIZE = 20;

/** A square region of a photo, in its pixels: top-left corner and side (it may extend past the photo). */
export interface ScanWindow {
  x: number;
  y: number;
  side: number;
}

/**
 * The square windows `[x, y, side]` scanned for faces of at least `minFaceSize` pixels: the whole
 * photo, then per level tiles of half the previous side overlapping by half, until
 * `side × MIN_FACE_FRACTION ≤ minFaceSize`.
 * @throws RangeError when `minFaceSize` is below {@link MIN_FACE_SIZE}.
 */
export function scanWindows(width: number, height: number, minFaceSize?: number): [number, number, number][] {
  const long = Math.max(width, height);
  const windows: [number, number, number][] = [[0, 0, long]];
  if (minFaceSize === undefined) return windows;
  if (!(minFaceSize > 0)) throw new RangeError(`minFaceSize must be a positive number of pixels, got ${minFaceSize}`);
  if (minFaceSize < MIN_FACE_SIZE) {
    throw new RangeError(`minFaceSize must be at least ${MIN_FACE_SIZE} pixels (smaller faces are too small for the 48×48 emotion model, and the tiled scan would take minutes), got ${minFaceSize}`);
  }
  const positions = (extent: number, side: number): number[] => {
    if (extent <= side) return [0];
    const n = Math.ceil((extent - side) / (side / 2)) + 1;
    return Array.from({ length: n }, (_, i) => Math.round(Math.min(i * side / 2, extent - side)));
  };
  for (let side = long / 2; side * 2 * MIN_FACE_FRACTION > minFaceSize && side >= 32; side /= 2) {
    const t = Math.round(side);
    for (const y of positions(height, t)) for (const x of positions(width, t)) windows.push([x, y, t]);
  }
  return windows;
}

/**
 * Samples a square window of an image into a `size × size` RGB input for BlazeFace, values in
 * [-1, 1]: area averaging when shrinking, bilinear when enlarging; whatever lies outside the
 * image is black. Default window: the whole image, top-left aligned (padding right or bottom).
 * Only `size²` values are allocated, whatever the window's size.
 */
export function letterbox(img: Raster, size: number, window?: ScanWindow): Float32Array {
  const { width, height, channels, data } = img;
  const { x: wx, y: wy, side } = window ?? { x: 0, y: 0, side: Math.max(width, height) };
  const step = side / size;
  const out = new Float32Array(size * size * 3);
  const at = (x: number, y: number, c: number): number => data[(y * width + x) * channels + (channels >= 3 ? c : 0)];
  const px = [0, 0, 0];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      px[0] = px[1] = px[2] = 0;
      if (step > 1) {
        // area average over the source box [x0, x1) × [y0, y1); outside the image counts as black
        const x0 = wx + ox * step, x1 = x0 + step, y0 = wy + oy * step, y1 = y0 + step;
        for (let y = Math.max(0, Math.floor(y0)); y < Math.min(height, Math.ceil(y1)); y++) {
          const ay = Math.min(y + 1, y1) - Math.max(y, y0);
          if (ay <= 0) continue;
          for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
            const a = (Math.min(x + 1, x1) - Math.max(x, x0)) * ay;
            if (a <= 0) continue;
            for (let c = 0; c < 3; c++) px[c] += at(x, y, c) * a;
          }
        }
        for (let c = 0; c < 3; c++) px[c] /= step * step;
      } else {
        const cx = wx + (ox + 0.5) * step, cy = wy + (oy + 0.5) * step;
        if (cx >= 0 && cx < width && cy >= 0 && cy < height) {
          const fx = Math.min(width - 1, Math.max(0, cx - 0.5)), fy = Math.min(height - 1, Math.max(0, cy - 0.5));
          const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(width - 1, x0 + 1), y1 = Math.min(height - 1, y0 + 1);
          const ax = fx - x0, ay = fy - y0;
          for (let c = 0; c < 3; c++) {
            px[c] = (at(x0, y0, c) * (1 - ax) + at(x1, y0, c) * ax) * (1 - ay) + (at(x0, y1, c) * (1 - ax) + at(x1, y1, c) * ax) * ay;
          }
        }
      }
      const o = (oy * size + ox) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = px[c] / 127.5 - 1;
    }
  }
  return out;
}
