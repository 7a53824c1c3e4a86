/**
 * Weight quantization for smaller downloads: float16 (half the size, loss usually < 0.1 points)
 * or uint8 (a quarter, affine per tensor). Uses the `quantization` field of the tfjs weights
 * manifest, so any TensorFlow.js loader dequantizes the weights on load.
 *
 * @packageDocumentation
 */
import type { tf } from '../backends/tf.js';

/** Storage precision of saved weights. */
export type WeightPrecision = 'float32' | 'float16' | 'uint8';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE-754 binary16 bits of a number (round to nearest even; overflow → ±Inf). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  e = half >>> 10;
  return sign | half;
}

/**
 * Returns artifacts whose float32 weights are stored in `precision` (other dtypes are kept).
 * The weight specs gain a `quantization` entry that tfjs loaders understand.
 */
export function quantizeArtifacts(artifacts: tf.io.ModelArtifacts, precision: WeightPrecision): tf.io.ModelArtifacts {
  if (precision === 'float32') return artifacts;
  const specs = artifacts.weightSpecs ?? [];
  const raw = artifacts.weightData;
  const data = raw instanceof ArrayBuffer ? raw : raw ? concat(raw as ArrayBuffer[]) : new ArrayBuffer(0);
  const parts: Uint8Array[] = [];
  const outSpecs: tf.io.WeightsManifestEntry[] = [];
  let off = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = size * 4; // float32 and int32 alike
    if (spec.dtype !== 'float32' || spec.quantization) {
      parts.push(new Uint8Array(data, off, bytes));
      outSpecs.push(spec);
      off += bytes;
      continue;
    }
    const values = new Float32Array(data.slice(off, off + bytes));
    off += bytes;
    if (precision === 'float16') {
      const half = new Uint16Array(size);
      for (let i = 0; i < size; i++) half[i] = toFloat16Bits(values[i]);
      parts.push(new Uint8Array(half.buffer));
      outSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      let min = Infinity, max = -Infinity;
      for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
      if (!Number.isFinite(min)) { min = 0; max = 0; }
      const scale = max > min ? (max - min) / 255 : 1;
      const q = new Uint8Array(size);
      for (let i = 0; i < size; i++) q[i] = Math.round((values[i] - min) / scale);
      parts.push(q);
      outSpecs.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
    }
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return { ...artifacts, weightSpecs: outSpecs, weightData: out.buffer };
}

function concat(buffers: ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) { out.set(new Uint8Array(b), o); o += b.byteLength; }
  return out.buffer;
}
