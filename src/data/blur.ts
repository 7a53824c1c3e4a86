/**
 * Gaussian blur of gray images held as bytes, in plain TypeScript (no backend needed).
 *
 * @packageDocumentation
 */

/**
 * A normalized 1-D Gaussian kernel of radius `ceil(3σ)`.
 *
 * @throws RangeError when `sigma` is not a positive finite number.
 */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`gaussianKernel: sigma must be a positive number, got ${sigma}`);
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) { k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma)); sum += k[i + r]; }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Mirror index (edge pixel repeated: `… 1 0 | 0 1 …`) of `i` into `[0, n)`. */
function mirror(i: number, n: number): number {
  while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
  return i;
}

/**
 * Blurs every `size × size` gray image of `pixels` (row-major bytes, images back to back) with a
 * separable Gaussian of standard deviation `sigma` pixels, symmetric padding at the borders, and
 * returns new bytes (rounded). `sigma` 0 returns a copy.
 *
 * @throws RangeError when `pixels` is not a whole number of images or `sigma` is negative.
 */
export function gaussianBlurPixels(pixels: Uint8Array, size: number, sigma: number): Uint8Array {
  const px = size * size;
  if (!Number.isInteger(size) || size < 1 || pixels.length % px !== 0) {
    throw new RangeError(`gaussianBlurPixels: ${pixels.length} bytes are not whole ${size}×${size} images`);
  }
  if (!(sigma >= 0)) throw new RangeError(`gaussianBlurPixels: sigma must be ≥ 0, got ${sigma}`);
  if (sigma === 0) return pixels.slice();
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const out = new Uint8Array(pixels.length);
  const row = new Float32Array(px);
  for (let o = 0; o < pixels.length; o += px) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let v = 0;
        for (let i = -r; i <= r; i++) v += pixels[o + y * size + mirror(x + i, size)] * k[i + r];
        row[y * size + x] = v;
      }
    }
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let v = 0;
        for (let i = -r; i <= r; i++) v += row[mirror(y + i, size) * size + x] * k[i + r];
        out[o + y * size + x] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return out;
}
