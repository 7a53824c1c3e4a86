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

/** The detector's input in pixels (a multiple of the model's coarsest stride, 32, on each side). */
export interface InputShape {
  width: number;
  height: number;
}

/**
 * The input shape that shows a `width × height` photo whole with its longer side at `long` pixels:
 * the shorter side scaled alike and rounded up to a multiple of 32, so that a landscape or portrait
 * photo costs the detector only the rows (or columns) it has, not a square of padding.
 */
export function fitInput(width: number, height: number, long: number): InputShape {
  const short = (a: number, b: number): number => Math.min(long, Math.max(32, Math.ceil((long * a) / b / 32) * 32));
  return width >= height ? { width: long, height: short(height, width) } : { width: short(width, height), height: long };
}

/**
 * Samples a square window of an image into the detector's RGB input (`size × size`, or
 * `width × height`), values in [-1, 1]: the window's side spans the input's longer side; area
 * averaging when shrinking (separably: rows, then columns), bilinear when enlarging; whatever lies
 * outside the image (or past the window) is black. Default window: the whole image, top-left
 * aligned (padding right or bottom). Only the input's values (and one row of cells) are allocated,
 * whatever the window's size; `into` (of `width × height × 3` values), when given, is filled instead.
 */
export function letterbox(img: Raster, size: number | InputShape, window?: ScanWindow, into?: Float32Array): Float32Array {
  const { width, height, channels, data } = img;
  const { width: outW, height: outH } = typeof size === 'number' ? { width: size, height: size } : size;
  const { x: wx, y: wy, side } = window ?? { x: 0, y: 0, side: Math.max(width, height) };
  const step = side / Math.max(outW, outH);
  const n = outW * outH * 3;
  const out = into && into.length >= n ? into.subarray(0, n) : new Float32Array(n);
  const g = channels >= 3 ? 1 : 0; // gray images: channel 0 for R, G and B
  if (step > 1) {
    const cols = axisTaps(wx, step, outW, width, 'area'), rows = axisTaps(wy, step, outH, height, 'area');
    const cs = cols.start, cc = cols.count, cw = cols.weights, cspan = cols.span;
    const rs = rows.start, rc = rows.count, rw = rows.weights, rspan = rows.span;
    // out = (area average) / 127.5 − 1: start from −1 (black) and add each source pixel × its weight / 127.5
    out.fill(-1);
    // each source row the window needs is shrunk horizontally into `outW` cells (weighted sums
    // over columns) and added, weighted, into the output rows whose cells cover it (one or two)
    const y0 = Math.max(0, Math.floor(wy)), y1 = Math.min(height, Math.ceil(wy + step * outH));
    const shrunk = new Float32Array(outW * 3);
    const rowLength = outW * 3;
    let lo = 0;
    for (let y = y0; y < y1; y++) {
      while (lo < outH && rs[lo] + rc[lo] <= y) lo++;
      if (lo === outH || rs[lo] > y) continue;
      const row = y * width;
      for (let o = 0, wo = 0; o < outW; o++, wo += cspan) {
        let r = 0, gr = 0, b = 0;
        const taps = cc[o];
        for (let k = 0, s = (row + cs[o]) * channels; k < taps; k++, s += channels) {
          const w = cw[wo + k];
          r += data[s] * w;
          gr += data[s + g] * w;
          b += data[s + 2 * g] * w;
        }
        shrunk[o * 3] = r;
        shrunk[o * 3 + 1] = gr;
        shrunk[o * 3 + 2] = b;
      }
      for (let oy = lo; oy < outH && rs[oy] <= y; oy++) {
        const k = y - rs[oy];
        if (k >= rc[oy]) continue;
        const w = rw[oy * rspan + k] / 127.5;
        for (let i = 0, dst = oy * rowLength; i < rowLength; i++, dst++) out[dst] += shrunk[i] * w;
      }
    }
    return out;
  }
  // enlarging: bilinear; an output pixel whose centre lies off the image is black
  const cols = axisTaps(wx, step, outW, width, 'bilinear'), rows = axisTaps(wy, step, outH, height, 'bilinear');
  // bilinear taps are one or two pixels: as two, the second (weight 0 when absent) on the first
  const second = (t: typeof cols, o: number): number => t.start[o] + t.count[o] - 1;
  for (let oy = 0; oy < outH; oy++) {
    const r0 = rows.start[oy] * width, r1 = second(rows, oy) * width;
    const v0 = rows.weights[oy * rows.span], v1 = rows.count[oy] === 2 ? rows.weights[oy * rows.span + 1] : 0;
    for (let ox = 0; ox < outW; ox++) {
      const o = (oy * outW + ox) * 3;
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
