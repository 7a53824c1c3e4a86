import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';
import { augment, augmentTransforms, checkAugmentOptions, DEFAULT_AUGMENTATION, erasingRects, type AugmentOptions } from '../../src/data/augment.js';

const N = 8, H = 8, W = 10;

function pixels(n = N, h = H, w = W, c = 1): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + (i % 7) * 11) % 256;
  return out;
}

function batch(dtype: 'float32' | 'int32' = 'float32', c = 1): tf.Tensor4D {
  const p = pixels(N, H, W, c);
  return tf.tensor4d(dtype === 'int32' ? Int32Array.from(p) : p, [N, H, W, c], dtype);
}

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

/** Decomposes a transform row `[a00, a01, tx, a10, a11, ty, 0, 0]` into rotation (deg), scale, flip and shift. */
function decompose(t: Float32Array, i: number) {
  const [a00, a01, b0, a10, a11, b1, c0, c1] = Array.from(t.subarray(i * 8, i * 8 + 8));
  const scale = 1 / Math.hypot(a01, a11);
  const theta = (Math.atan2(-a01, a11) * 180) / Math.PI;
  const flip = a00 * a11 - a01 * a10 < 0;
  const cx = (W - 1) / 2, cy = (H - 1) / 2;
  const tx = b0 - (cx - a00 * cx - a01 * cy);
  const ty = b1 - (cy - a10 * cx - a11 * cy);
  return { scale, theta, flip, tx, ty, c0, c1 };
}

let before = 0;
beforeAll(async () => {
  await setBackend('cpu');
  before = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('augmentTransforms', () => {
  it('is the identity with no options', () => {
    const t = augmentTransforms(3, W, H, {});
    for (let i = 0; i < 3; i++) expect(Array.from(t.subarray(i * 8, i * 8 + 8), (v) => v + 0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('draws rotation, zoom and shift within their ranges', () => {
    const opts: AugmentOptions = { rotation: 15, zoom: 0.2, shift: 0.1, flip: true, seed: 3 };
    const n = 500;
    const t = augmentTransforms(n, W, H, opts);
    const d = Array.from({ length: n }, (_, i) => decompose(t, i));
    for (const x of d) {
      expect(Math.abs(x.theta)).toBeLessThanOrEqual(15 + 1e-3);
      expect(x.scale).toBeGreaterThanOrEqual(0.8 - 1e-5);
      expect(x.scale).toBeLessThanOrEqual(1.2 + 1e-5);
      expect(Math.abs(x.tx)).toBeLessThanOrEqual(0.1 * W + 1e-4);
      expect(Math.abs(x.ty)).toBeLessThanOrEqual(0.1 * H + 1e-4);
      expect([x.c0, x.c1]).toEqual([0, 0]);
    }
    // the draws actually spread over the ranges, and both flips occur
    expect(Math.max(...d.map((x) => x.theta))).toBeGreaterThan(12);
    expect(Math.min(...d.map((x) => x.theta))).toBeLessThan(-12);
    expect(Math.max(...d.map((x) => x.scale))).toBeGreaterThan(1.15);
    expect(Math.min(...d.map((x) => x.scale))).toBeLessThan(0.85);
    expect(Math.max(...d.map((x) => x.tx))).toBeGreaterThan(0.8);
    const flips = d.filter((x) => x.flip).length;
    expect(flips).toBeGreaterThan(n * 0.4);
    expect(flips).toBeLessThan(n * 0.6);
  });

  it('enables only the transforms that are asked for', () => {
    const rot = augmentTransforms(50, W, H, { rotation: 10, seed: 1 });
    for (let i = 0; i < 50; i++) {
      const x = decompose(rot, i);
      expect(x.scale).toBeCloseTo(1, 5);
      expect(x.flip).toBe(false);
      expect(x.tx).toBeCloseTo(0, 4);
      expect(x.ty).toBeCloseTo(0, 4);
    }
    const shift = augmentTransforms(50, W, H, { shift: 0.2, seed: 1 });
    for (let i = 0; i < 50; i++) {
      const x = decompose(shift, i);
      expect([shift[i * 8], shift[i * 8 + 1], shift[i * 8 + 3], shift[i * 8 + 4]].map((v) => v + 0)).toEqual([1, 0, 0, 1]);
      expect(Math.abs(x.tx)).toBeLessThanOrEqual(2 + 1e-4);
    }
  });

  it('is deterministic per seed', () => {
    const o = { rotation: 10, zoom: 0.1, shift: 0.1, flip: true };
    expect(augmentTransforms(20, W, H, { ...o, seed: 5 })).toEqual(augmentTransforms(20, W, H, { ...o, seed: 5 }));
    expect(augmentTransforms(20, W, H, { ...o, seed: 5 })).not.toEqual(augmentTransforms(20, W, H, { ...o, seed: 6 }));
  });
});

describe('augment', () => {
  it('returns an exact copy with no transform enabled', async () => {
    const x = batch();
    for (const opts of [{}, { rotation: 0, zoom: 0, shift: 0, flip: false, seed: 3 }]) {
      const y = augment(x, opts);
      expect(y).not.toBe(x);
      expect(await values(y)).toEqual(await values(x));
      y.dispose();
    }
    x.dispose();
  });

  it('flip mirrors exactly the images augmentTransforms flips', async () => {
    const x = batch();
    const opts = { flip: true, seed: 11 };
    const flipped = Array.from({ length: N }, (_, i) => augmentTransforms(N, W, H, opts)[i * 8] < 0);
    expect(flipped.some(Boolean)).toBe(true);
    expect(flipped.every(Boolean)).toBe(false);
    const y = augment(x, opts);
    const mirrored = tf.reverse(x, 2);
    const [yv, xv, mv] = await Promise.all([values(y), values(x), values(mirrored)]);
    const px = H * W;
    for (let i = 0; i < N; i++) {
      const expected = (flipped[i] ? mv : xv).slice(i * px, (i + 1) * px);
      expect(yv.slice(i * px, (i + 1) * px)).toEqual(expected);
    }
    // the same seed flips the same images again: back to the original
    const twice = augment(y, opts);
    expect(await values(twice)).toEqual(xv);
    tf.dispose([x, y, mirrored, twice]);
  });

  it('keeps shape and dtype (float32, int32, 3 channels)', async () => {
    const opts = { ...DEFAULT_AUGMENTATION, shift: 0.1, seed: 2 };
    for (const [dtype, c] of [['float32', 1], ['int32', 1], ['float32', 3]] as const) {
      const x = batch(dtype, c);
      const y = augment(x, opts);
      expect(y.shape).toEqual(x.shape);
      expect(y.dtype).toBe(dtype);
      const v = await values(y);
      if (dtype === 'int32') expect(v.every(Number.isInteger)).toBe(true);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThanOrEqual(255 + 1e-3);
      tf.dispose([x, y]);
    }
  });

  it('int32 results are the rounded float32 results', async () => {
    const opts = { rotation: 12, zoom: 0.1, seed: 9 };
    const xf = batch('float32');
    const xi = batch('int32');
    const yf = augment(xf, opts);
    const yi = augment(xi, opts);
    expect(await values(yi)).toEqual((await values(yf)).map((v) => Math.round(v)));
    tf.dispose([xf, xi, yf, yi]);
  });

  it('is deterministic per seed, and different seeds differ', async () => {
    const x = batch();
    const o = { rotation: 10, zoom: 0.1, flip: true };
    const a = augment(x, { ...o, seed: 1 });
    const b = augment(x, { ...o, seed: 1 });
    const c = augment(x, { ...o, seed: 2 });
    expect(await values(a)).toEqual(await values(b));
    expect(await values(a)).not.toEqual(await values(c));
    expect(await values(a)).not.toEqual(await values(x));
    tf.dispose([x, a, b, c]);
  });

  it('rejects bad options and bad shapes', () => {
    const x = batch();
    const bad: AugmentOptions[] = [{ rotation: -1 }, { rotation: NaN }, { zoom: 1 }, { zoom: 1.5 }, { zoom: -0.1 }, { shift: Infinity }, { shift: -0.2 }];
    for (const o of bad) expect(() => augment(x, o), JSON.stringify(o)).toThrow(RangeError);
    expect(() => augment(x, { zoom: 1 })).toThrow(/zoom must be < 1/);
    expect(() => augment(x, { rotation: -1 })).toThrow(/rotation must be a finite number ≥ 0, got -1/);
    const r3 = tf.zeros([4, 4, 1]);
    expect(() => augment(r3 as unknown as tf.Tensor4D)).toThrow(/expects a \[n, height, width, channels\] batch, got shape \[4,4,1\]/);
    tf.dispose([x, r3]);
  });

  it('warps every image of a batch like the same image alone (cpu Transform batch bug)', async () => {
    const x = batch();
    const opts = { rotation: 20, zoom: 0.2, seed: 13 };
    const t = augmentTransforms(N, W, H, opts);
    const y = augment(x, opts);
    const yv = await values(y);
    const px = H * W;
    for (const i of [0, 1, N - 1]) {
      const img = tf.slice(x, [i, 0, 0, 0], [1, H, W, 1]);
      const row = tf.tensor2d(t.slice(i * 8, i * 8 + 8), [1, 8]);
      const alone = tf.image.transform(img, row, 'bilinear', 'nearest');
      const av = await values(alone);
      expect(Math.max(...av.map((v, j) => Math.abs(v - yv[i * px + j])))).toBeLessThan(1e-4);
      expect(av.some((v) => v !== 0)).toBe(true);
      tf.dispose([img, row, alone]);
    }
    tf.dispose([x, y]);
  });

  it('gives the same result on cpu and wasm (within 1e-4)', async () => {
    const opts = { rotation: 15, zoom: 0.15, shift: 0.1, flip: true, seed: 4 };
    const run = async (backend: string) => {
      await setBackend(backend);
      const x = batch();
      const y = augment(x, opts);
      const v = await values(y);
      tf.dispose([x, y]);
      return v;
    };
    try {
      const cpu = await run('cpu');
      const wasm = await run('wasm');
      expect(wasm.length).toBe(cpu.length);
      let maxDiff = 0;
      for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - wasm[i]));
      expect(maxDiff).toBeLessThan(1e-4);
    } finally {
      await setBackend('cpu');
    }
  });
});

describe('random erasing', () => {
  it('draws no rectangle at probability 0 and one in bounds, 2-33% of the area, at probability 1', () => {
    expect(Array.from(erasingRects(16, 48, 48, { erasing: 0, seed: 1 })).every((v) => v === 0)).toBe(true);
    const r = erasingRects(200, 48, 40, { erasing: 1, seed: 3 });
    for (let i = 0; i < 200; i++) {
      const [top, left, eh, ew] = r.subarray(i * 4, i * 4 + 4);
      expect(eh).toBeGreaterThan(0);
      expect(top + eh).toBeLessThanOrEqual(40);
      expect(left + ew).toBeLessThanOrEqual(48);
      const area = (eh * ew) / (48 * 40);
      expect(area).toBeGreaterThan(0.01);
      expect(area).toBeLessThan(0.36);
    }
    const half = erasingRects(1000, 48, 48, { erasing: 0.5, seed: 5 });
    let erased = 0;
    for (let i = 0; i < 1000; i++) if (half[i * 4 + 2] > 0) erased++;
    expect(erased).toBeGreaterThan(440);
    expect(erased).toBeLessThan(560);
    expect(erasingRects(8, 48, 48, { erasing: 1, seed: 5 })).toEqual(erasingRects(8, 48, 48, { erasing: 1, seed: 5 }));
    expect(erasingRects(8, 48, 48, { erasing: 1, seed: 5 })).not.toEqual(erasingRects(8, 48, 48, { erasing: 1, seed: 6 }));
  });

  it('replaces only the rectangle, with noise within the image value range', async () => {
    const x = batch();
    const o = { erasing: 1, seed: 9 };
    const y = augment(x, o);
    const xv = await values(x), yv = await values(y);
    const rects = erasingRects(N, W, H, o);
    const px = H * W;
    for (let i = 0; i < N; i++) {
      const [top, left, eh, ew] = rects.subarray(i * 4, i * 4 + 4);
      const img = xv.slice(i * px, (i + 1) * px);
      const lo = Math.min(...img), hi = Math.max(...img);
      let changed = 0;
      for (let yy = 0; yy < H; yy++) for (let xx = 0; xx < W; xx++) {
        const j = i * px + yy * W + xx;
        const inside = yy >= top && yy < top + eh && xx >= left && xx < left + ew;
        if (!inside) expect(yv[j]).toBe(xv[j]);
        else {
          expect(yv[j]).toBeGreaterThanOrEqual(lo - 1e-3);
          expect(yv[j]).toBeLessThanOrEqual(hi + 1e-3);
          if (Math.abs(yv[j] - xv[j]) > 1e-3) changed++;
        }
      }
      expect(changed).toBeGreaterThan(eh * ew / 2);
    }
    tf.dispose([x, y]);
  });

  it('leaves the geometric draws of a seed unchanged and keeps int32 dtype', async () => {
    const geo = { rotation: 10, zoom: 0.1, flip: true, seed: 11 };
    const x = batch();
    const plain = augment(x, geo);
    const erased = augment(x, { ...geo, erasing: 1 });
    const pv = await values(plain), ev = await values(erased);
    const rects = erasingRects(N, W, H, { ...geo, erasing: 1 });
    const px = H * W;
    for (let i = 0; i < N; i++) {
      const [top, left, eh, ew] = rects.subarray(i * 4, i * 4 + 4);
      for (let yy = 0; yy < H; yy++) for (let xx = 0; xx < W; xx++) {
        if (yy >= top && yy < top + eh && xx >= left && xx < left + ew) continue;
        expect(ev[i * px + yy * W + xx]).toBe(pv[i * px + yy * W + xx]);
      }
    }
    const xi = batch('int32');
    const yi = augment(xi, { erasing: 1, seed: 2 });
    expect(yi.dtype).toBe('int32');
    expect((await values(yi)).every((v) => Number.isInteger(v))).toBe(true);
    tf.dispose([x, plain, erased, xi, yi]);
  });

  it('returns a new tensor when no image of the batch is erased', () => {
    const x = batch();
    const y = augment(x, { erasing: 1e-9, seed: 1 });
    expect(y).not.toBe(x);
    y.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('rejects an erasing probability outside [0, 1]', () => {
    const x = batch();
    for (const p of [-0.1, 1.5, NaN]) expect(() => augment(x, { erasing: p })).toThrow(/erasing must be a probability in \[0, 1\]/);
    expect(() => checkAugmentOptions({ erasing: '0.5' as unknown as number })).toThrow(RangeError);
    tf.dispose(x);
  });
});
