/**
 * Fitting a photo to the face detector's square input: which square windows of the photo are
 * scanned ({@link scanWindows}, tiles for small faces), and how one window is sampled into the
 * detector's RGB input ({@link letterbox}).
 *
 * @packageDocumentation
 */
import type { Raster } from '../data/image.js';
import { axisTaps } from '../data/resample.js';

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
 * [-1, 1]: area averaging when shrinking (separably: rows, then columns), bilinear when enlarging;
 * whatever lies outside the image is black. Default window: the whole image, top-left aligned
 * (padding right or bottom). Only `size²` values (and one row of `size` cells) are allocated,
 * whatever the window's size; `into` (of `size² × 3` values), when given, is filled instead.
 */
export function letterbox(img: Raster, size: number, window?: ScanWindow, into?: Float32Array): Float32Array {
  const { width, height, channels, data } = img;
  const { x: wx, y: wy, side } = window ?? { x: 0, y: 0, side: Math.max(width, height) };
  const step = side / size;
  const out = into && into.length === size * size * 3 ? into.fill(0) : new Float32Array(size * size * 3);
  const g = channels >= 3 ? 1 : 0; // gray images: channel 0 for R, G and B
  if (step > 1) {
    const cols = axisTaps(wx, step, size, width, 'area'), rows = axisTaps(wy, step, size, height, 'area');
    // each source row the window needs is shrunk horizontally into `size` cells (weighted sums
    // over columns) and added, weighted, into the output rows whose cells cover it (one or two)
    const y0 = Math.max(0, Math.floor(wy)), y1 = Math.min(height, Math.ceil(wy + side));
    const shrunk = new Float32Array(size * 3);
    let lo = 0;
    for (let y = y0; y < y1; y++) {
      while (lo < size && rows.start[lo] + rows.count[lo] <= y) lo++;
      if (lo === size || rows.start[lo] > y) continue;
      const row = y * width;
      for (let o = 0; o < size; o++) {
        let r = 0, gr = 0, b = 0;
        const first = cols.start[o], n = cols.count[o], wo = o * cols.span;
        for (let k = 0; k < n; k++) {
          const w = cols.weights[wo + k], s = (row + first + k) * channels;
          r += data[s] * w;
          gr += data[s + g] * w;
          b += data[s + 2 * g] * w;
        }
        shrunk[o * 3] = r;
        shrunk[o * 3 + 1] = gr;
        shrunk[o * 3 + 2] = b;
      }
      for (let oy = lo; oy < size && rows.start[oy] <= y; oy++) {
        const k = y - rows.start[oy];
        if (k >= rows.count[oy]) continue;
        const w = rows.weights[oy * rows.span + k], dst = oy * size * 3;
        for (let i = 0; i < size * 3; i++) out[dst + i] += shrunk[i] * w;
      }
    }
    for (let i = 0; i < out.length; i++) out[i] = out[i] / 127.5 - 1;
    return out;
  }
  // enlarging: bilinear; an output pixel whose centre lies off the image is black
  const cols = axisTaps(wx, step, size, width, 'bilinear'), rows = axisTaps(wy, step, size, height, 'bilinear');
  // bilinear taps are one or two pixels: as two, the second (weight 0 when absent) on the first
  const second = (t: typeof cols, o: number): number => t.start[o] + t.count[o] - 1;
  for (let oy = 0; oy < size; oy++) {
    const r0 = rows.start[oy] * width, r1 = second(rows, oy) * width;
    const v0 = rows.weights[oy * rows.span], v1 = rows.count[oy] === 2 ? rows.weights[oy * rows.span + 1] : 0;
    for (let ox = 0; ox < size; ox++) {
      const o = (oy * size + ox) * 3;
      if (!rows.inside[oy] || !cols.inside[ox]) {
        out[o] = out[o + 1] = out[o + 2] = -1;
        continue;
      }
      const c0 = cols.start[ox], c1 = second(cols, ox);
      const u0 = cols.weights[ox * cols.span], u1 = cols.count[ox] === 2 ? cols.weights[ox * cols.span + 1] : 0;
      const p00 = (r0 + c0) * channels, p01 = (r0 + c1) * channels, p10 = (r1 + c0) * channels, p11 = (r1 + c1) * channels;
      const w00 = v0 * u0, w01 = v0 * u1, w10 = v1 * u0, w11 = v1 * u1;
      for (let c = 0; c < 3; c++) {
        const k = c * g;
        out[o + c] = (data[p00 + k] * w00 + data[p01 + k] * w01 + data[p10 + k] * w10 + data[p11 + k] * w11) / 127.5 - 1;
      }
    }
  }
  return out;
}
