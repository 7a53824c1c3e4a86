/**
 * Image conversion shared by training data and prediction input: any size, RGB(A) or gray →
 * `size × size` 8-bit gray, the same way everywhere.
 *
 * @packageDocumentation
 */

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
 * Resizes a gray plane to `size × size`: area averaging when shrinking (no aliasing), bilinear
 * when enlarging. Returns rounded 8-bit values.
 */
export function resizeGray(plane: Float32Array, width: number, height: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  if (width === size && height === size) {
    for (let i = 0; i < out.length; i++) out[i] = Math.round(plane[i]);
    return out;
  }
  const sx = width / size;
  const sy = height / size;
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      let v: number;
      if (sx > 1 || sy > 1) {
        // area average over the source box [x0, x1) × [y0, y1)
        const x0 = ox * sx, x1 = x0 + sx, y0 = oy * sy, y1 = y0 + sy;
        let acc = 0, wsum = 0;
        for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
          const wy = Math.min(y + 1, y1) - Math.max(y, y0);
          if (wy <= 0) continue;
          for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
            const wx = Math.min(x + 1, x1) - Math.max(x, x0);
            if (wx <= 0) continue;
            acc += plane[y * width + x] * wx * wy;
            wsum += wx * wy;
          }
        }
        v = wsum > 0 ? acc / wsum : 0;
      } else {
        const fx = Math.min(width - 1, Math.max(0, (ox + 0.5) * sx - 0.5));
        const fy = Math.min(height - 1, Math.max(0, (oy + 0.5) * sy - 0.5));
        const x0 = Math.floor(fx), y0 = Math.floor(fy);
        const x1 = Math.min(width - 1, x0 + 1), y1 = Math.min(height - 1, y0 + 1);
        const ax = fx - x0, ay = fy - y0;
        v = (1 - ay) * ((1 - ax) * plane[y0 * width + x0] + ax * plane[y0 * width + x1])
          + ay * ((1 - ax) * plane[y1 * width + x0] + ax * plane[y1 * width + x1]);
      }
      out[oy * size + ox] = Math.max(0, Math.min(255, Math.round(v)));
    }
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
