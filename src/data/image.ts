/**
 * Image conversion shared by training data and prediction input: any size, RGB(A) or gray →
 * `size × size` 8-bit gray, the same way everywhere.
 *
 * @packageDocumentation
 */
import { axisTaps } from './resample.js';

/** A decoded raster: `channels` interleaved 8-bit samples per pixel (1 gray, 3 RGB, 4 RGBA). */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** Luma of 8-bit RGB with ITU-R BT.601 weights (as PIL's `convert('L')`). */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Converts a raster to one float gray plane (0–255), ignoring alpha. */
export function toGrayPlane(img: Raster): Float32Array {
  const { width, height, channels, data } = img;
  const n = width * height;
  if (data.length < n * channels) {
    throw new RangeError(`image data holds ${data.length} bytes, expected ${n * channels} for ${width}×${height}×${channels}`);
  }
  const out = new Float32Array(n);
  if (channels <= 2) {
    for (let i = 0; i < n; i++) out[i] = data[i * channels];
  } else {
    for (let i = 0, j = 0; i < n; i++, j += channels) out[i] = luma(data[j], data[j + 1], data[j + 2]);
  }
  return out;
}

/**
 * Resizes a gray plane to `size × size`: area averaging when either side shrinks (no aliasing),
 * bilinear when both enlarge. Computed separably, rows then columns. Returns rounded 8-bit values.
 */
export function resizeGray(plane: Float32Array, width: number, height: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  if (width === size && height === size) {
    for (let i = 0; i < out.length; i++) out[i] = Math.round(plane[i]);
    return out;
  }
  const area = width > size || height > size;
  const mode = area ? 'area' : 'bilinear';
  const cols = axisTaps(0, width / size, size, width, mode, 'sum'), rows = axisTaps(0, height / size, size, height, mode, 'sum');
  // every source row shrunk (or stretched) to `size` columns, then every output row mixed from those rows
  const wide = new Float64Array(height * size);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let o = 0; o < size; o++) {
      let acc = 0;
      const first = row + cols.start[o], n = cols.count[o], w0 = o * cols.span;
      for (let k = 0; k < n; k++) acc += plane[first + k] * cols.weights[w0 + k];
      wide[y * size + o] = acc;
    }
  }
  const acc = new Float64Array(size);
  for (let oy = 0; oy < size; oy++) {
    acc.fill(0);
    const first = rows.start[oy], n = rows.count[oy], w0 = oy * rows.span;
    for (let k = 0; k < n; k++) {
      const w = rows.weights[w0 + k], src = (first + k) * size;
      for (let o = 0; o < size; o++) acc[o] += wide[src + o] * w;
    }
    for (let o = 0; o < size; o++) out[oy * size + o] = Math.max(0, Math.min(255, Math.round(acc[o])));
  }
  return out;
}

/** What a conversion did, for dataset summaries. */
export interface Conversion {
  resized: boolean;
  colour: boolean;
}

/** Raster → `size × size` gray bytes, reporting whether it had to resize or drop colour. */
export function toGraySquare(img: Raster, size = 48): { pixels: Uint8Array; conversion: Conversion } {
  let colour = false;
  if (img.channels >= 3) {
    const d = img.data;
    for (let j = 0; j < img.width * img.height * img.channels; j += img.channels) {
      if (d[j] !== d[j + 1] || d[j] !== d[j + 2]) { colour = true; break; }
    }
  }
  const plane = toGrayPlane(img);
  return {
    pixels: resizeGray(plane, img.width, img.height, size),
    conversion: { resized: img.width !== size || img.height !== size, colour },
  };
}
