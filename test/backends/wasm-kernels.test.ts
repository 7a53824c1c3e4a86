/**
 * The wasm training kernels of src/backends/wasm-kernels.ts (and the fused batch norm of
 * src/training/fast-batchnorm.ts) against the cpu backend's reference kernels, on random shapes.
 * Every case builds the same JS arrays into tensors on both backends and compares the results.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { channelMoments, channelSums, conv2DBackpropFilter, maxPoolGrad } from '../../src/backends/wasm-kernels.js';
import { batchNormTraining } from '../../src/training/fast-batchnorm.js';
import { Random } from '../../src/util/random.js';

type Backend = 'wasm' | 'cpu';

/** Runs `fn` on `backend` and returns its tensors' values as plain arrays (tensors disposed). */
async function on(backend: Backend, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await setBackend(backend);
  const outs = tf.tidy(fn);
  const values = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return values;
}

function randomArray(rng: Random, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

/** |a − b| ≤ rtol · (|b| + max|b|) elementwise — relative, with a floor scaled to the array. */
function expectClose(actual: Float32Array, expected: Float32Array, label: string, rtol = 1e-4): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (Math.abs(expected[i]) + scale + 1e-12);
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `${label}: worst relative error at ${at} (${actual[at]} vs ${expected[at]})`).toBeLessThanOrEqual(rtol);
}

beforeAll(async () => {
  await setBackend('cpu');
  await setBackend('wasm'); // registers the fer-cnn-lstm kernels
});

it('the wasm backend runs this package\'s kernels (so the comparisons below test them)', () => {
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2DBackpropFilter);
  expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).toBe(maxPoolGrad);
  expect(tf.getKernel('FerChannelMoments', 'wasm')?.kernelFunc).toBe(channelMoments);
  expect(tf.getKernel('FerChannelSums', 'wasm')?.kernelFunc).toBe(channelSums);
  const input = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
  const matMul = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
  // wrappers made by makeConv2DBackpropInput / makeBatchMatMul are anonymous arrow functions
  expect(input?.name).toBe('');
  expect(matMul?.name).toBe('');
});

describe('conv2d gradients (Conv2DBackpropInput / Conv2DBackpropFilter) on wasm vs cpu', () => {
  const rng = new Random(1234);
  const cases: { n: number; h: number; w: number; cin: number; cout: number; k: number; s: number; pad: 'same' | 'valid' }[] = [];
  for (const k of [1, 3, 5]) {
    for (const s of [1, 2, 3]) {
      for (const pad of ['same', 'valid'] as const) {
        const n = 1 + rng.int(4);
        const h = k + rng.int(9); // ≥ k so 'valid' has an output
        const w = k + rng.int(9);
        cases.push({ n, h, w, cin: 1 + rng.int(5), cout: 1 + rng.int(6), k, s, pad });
      }
    }
  }
  // the model's own shapes: 3×3 same stride 1 on a first-layer (1 channel) and a wider input
  cases.push({ n: 8, h: 48, w: 48, cin: 1, cout: 8, k: 3, s: 1, pad: 'same' });
  cases.push({ n: 4, h: 12, w: 12, cin: 16, cout: 32, k: 3, s: 1, pad: 'same' });
  // non-square kernel-covering edge case: input the size of the kernel
  cases.push({ n: 2, h: 5, w: 5, cin: 2, cout: 3, k: 5, s: 2, pad: 'valid' });

  it.each(cases)('x $n×$h×$w×$cin, filter $k×$k×$cin×$cout, stride $s, $pad', async ({ n, h, w, cin, cout, k, s, pad }) => {
    const x = randomArray(rng, n * h * w * cin);
    const f = randomArray(rng, k * k * cin * cout);
    const [ho, wo] = pad === 'same' ? [Math.ceil(h / s), Math.ceil(w / s)] : [Math.ceil((h - k + 1) / s), Math.ceil((w - k + 1) / s)];
    const dy = randomArray(rng, n * ho * wo * cout);
    const compute = () => {
      const xt = tf.tensor4d(x, [n, h, w, cin]);
      const ft = tf.tensor4d(f, [k, k, cin, cout]);
      const dyt = tf.tensor4d(dy, [n, ho, wo, cout]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad));
      const y = tf.conv2d(xt, ft, s, pad);
      expect(y.shape).toEqual([n, ho, wo, cout]);
      return [y, ...g([xt, ft], dyt)];
    };
    const [wy, wdx, wdf] = await on('wasm', compute);
    const [cy, cdx, cdf] = await on('cpu', compute);
    expectClose(wy, cy, 'forward');
    expectClose(wdx, cdx, 'dx');
    expectClose(wdf, cdf, 'dFilter');
  });

  it('matches with a non-square stride and kernel given as pairs', async () => {
    const n = 2, h = 9, w = 7, cin = 3, cout = 4;
    const x = randomArray(rng, n * h * w * cin);
    const f = randomArray(rng, 3 * 5 * cin * cout);
    const compute = () => {
      const xt = tf.tensor4d(x, [n, h, w, cin]);
      const ft = tf.tensor4d(f, [3, 5, cin, cout]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], 'same'))));
      return g([xt, ft]);
    };
    const [wdx, wdf] = await on('wasm', compute);
    const [cdx, cdf] = await on('cpu', compute);
    expectClose(wdx, cdx, 'dx');
    expectClose(wdf, cdf, 'dFilter');
  });
});

describe('BatchMatMul with transposes on wasm vs cpu', () => {
  const rng = new Random(99);
  const combos = [
    { ta: false, tb: false }, { ta: true, tb: false }, { ta: false, tb: true }, { ta: true, tb: true },
  ];
  const shapes = [{ m: 1, k: 1, n: 1 }, { m: 5, k: 7, n: 3 }, { m: 17, k: 33, n: 9 }, { m: 64, k: 128, n: 32 }];
  const cases = combos.flatMap((c) => shapes.map((s) => ({ ...c, ...s })));

  it.each(cases)('2-D $m×$k · $k×$n, transposeA=$ta transposeB=$tb', async ({ m, k, n, ta, tb }) => {
    const a = randomArray(rng, m * k);
    const b = randomArray(rng, k * n);
    const compute = () => [tf.matMul(tf.tensor2d(a, ta ? [k, m] : [m, k]), tf.tensor2d(b, tb ? [n, k] : [k, n]), ta, tb)];
    const [wv] = await on('wasm', compute);
    const [cv] = await on('cpu', compute);
    expectClose(wv, cv, 'matMul');
  });

  it.each(combos)('batched 3-D, transposeA=$ta transposeB=$tb', async ({ ta, tb }) => {
    const batch = 3, m = 6, k = 10, n = 4;
    const a = randomArray(rng, batch * m * k);
    const b = randomArray(rng, batch * k * n);
    const compute = () => [tf.matMul(
      tf.tensor3d(a, ta ? [batch, k, m] : [batch, m, k]), tf.tensor3d(b, tb ? [batch, n, k] : [batch, k, n]), ta, tb)];
    const [wv] = await on('wasm', compute);
    const [cv] = await on('cpu', compute);
    expectClose(wv, cv, 'batched matMul');
  });

  it('gradients of a dense layer (both transposes used by the backward pass)', async () => {
    const a = randomArray(rng, 8 * 20);
    const b = randomArray(rng, 20 * 12);
    const compute = () => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))))(
      [tf.tensor2d(a, [8, 20]), tf.tensor2d(b, [20, 12])]);
    const [wa, wb] = await on('wasm', compute);
    const [ca, cb] = await on('cpu', compute);
    expectClose(wa, ca, 'dA');
    expectClose(wb, cb, 'dB');
  });
});

describe('MaxPoolGrad on wasm vs cpu', () => {
  const rng = new Random(7);
  const cases: { n: number; h: number; w: number; c: number; size: number; s: number; pad: 'same' | 'valid'; relu: boolean }[] = [];
  for (const size of [1, 2, 3]) {
    for (const s of [1, 2, 3]) {
      for (const pad of ['same', 'valid'] as const) {
        cases.push({ n: 1 + rng.int(3), h: size + rng.int(8), w: size + rng.int(8), c: 1 + rng.int(4), size, s, pad, relu: rng.next() < 0.5 });
      }
    }
  }
  cases.push({ n: 4, h: 48, w: 48, c: 8, size: 2, s: 2, pad: 'valid', relu: true }); // the model's pools

  it.each(cases)('x $n×$h×$w×$c, pool $size stride $s $pad (ReLU ties: $relu)', async ({ n, h, w, c, size, s, pad, relu }) => {
    const x = randomArray(rng, n * h * w * c);
    // ReLU makes many exact zeros (ties inside a window); quantising also creates ties among positives
    if (relu) for (let i = 0; i < x.length; i++) x[i] = Math.max(0, Math.round(x[i] * 4) / 4);
    const compute = () => {
      const xt = tf.tensor4d(x, [n, h, w, c]);
      const f = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, size, s, pad);
      const y = f(xt);
      const dy = tf.tensor(randomArrayFixed(y.size), y.shape);
      return [y, tf.grad(f)(xt, dy)];
    };
    const [wy, wdx] = await on('wasm', compute);
    const [cy, cdx] = await on('cpu', compute);
    expectClose(wy, cy, 'forward');
    // the gradient goes to exactly one (the first) maximum of each window on both backends
    expectClose(wdx, cdx, 'dx', 1e-6);
  });
});

/** Deterministic dy values (same on both backends for a given size). */
function randomArrayFixed(n: number): Float32Array {
  return randomArray(new Random(n), n);
}

describe('fused batchNormTraining (wasm) vs tf.moments + tf.batchNorm (cpu)', () => {
  const rng = new Random(3);
  const shapes = [[4, 5, 5, 3], [2, 7, 6, 8], [16, 6], [3, 4, 11], [1, 3, 3, 2], [32, 12, 12, 16]];
  const eps = 1e-3;

  it.each(shapes.map((s) => ({ shape: s })))('shape $shape: value, mean, variance and gradients wrt x, gamma, beta', async ({ shape }) => {
    const c = shape[shape.length - 1];
    const size = shape.reduce((a, b) => a * b, 1);
    const x = randomArray(rng, size, -2, 3);
    const gamma = randomArray(rng, c, 0.5, 1.5);
    const beta = randomArray(rng, c, -0.5, 0.5);
    const dy = randomArray(rng, size);
    const axes = [...Array(shape.length - 1).keys()];

    const fast = await on('wasm', () => {
      const xt = tf.tensor(x, shape), gt = tf.tensor1d(gamma), bt = tf.tensor1d(beta), dyt = tf.tensor(dy, shape);
      const [y, mean, variance] = batchNormTraining(xt, gt, bt, eps);
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, eps)[0])([xt, gt, bt], dyt);
      return [y, mean, variance, ...grads];
    });
    const reference = await on('cpu', () => {
      const xt = tf.tensor(x, shape), gt = tf.tensor1d(gamma), bt = tf.tensor1d(beta), dyt = tf.tensor(dy, shape);
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const m = tf.moments(a, axes);
        return tf.batchNorm(a, m.mean, m.variance, b as tf.Tensor1D, g as tf.Tensor1D, eps);
      };
      const m = tf.moments(xt, axes);
      return [f(xt, gt, bt), m.mean, m.variance, ...tf.grads(f)([xt, gt, bt], dyt)];
    });
    const names = ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'];
    names.forEach((name, i) => expectClose(fast[i], reference[i], name));
  });

  it('also agrees with the reference on the cpu backend itself', async () => {
    const shape = [3, 4, 4, 5];
    const x = randomArray(rng, 240), gamma = randomArray(rng, 5, 0.5, 1.5), beta = randomArray(rng, 5);
    const grads = (useFast: boolean) => on('cpu', () => {
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        if (useFast) return tf.sum(tf.square(batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, eps)[0]));
        const m = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.square(tf.batchNorm(a, m.mean, m.variance, b as tf.Tensor1D, g as tf.Tensor1D, eps)));
      };
      return tf.grads(f)([tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)]);
    });
    const [a, b] = [await grads(true), await grads(false)];
    a.forEach((g, i) => expectClose(g, b[i], ['dx', 'dGamma', 'dBeta'][i]));
  });

  it('stays exact far from zero (mean 100, deviation 0.01: one-pass sums in float64)', async () => {
    const shape = [8, 6, 6, 4];
    const x = randomArray(rng, 8 * 6 * 6 * 4, 99.99, 100.01);
    const dy = randomArray(rng, x.length);
    const gamma = randomArray(rng, 4, 0.5, 1.5), beta = randomArray(rng, 4);
    const run = () => {
      const [xt, gt, bt] = [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const [y, mean, variance] = batchNormTraining(xt, gt, bt, eps);
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, eps)[0])([xt, gt, bt], tf.tensor(dy, shape));
      return [y, mean, variance, ...grads];
    };
    const [fast, ref] = [await on('wasm', run), await on('cpu', run)];
    ['y', 'mean', 'variance', 'dx', 'dGamma', 'dBeta'].forEach((name, i) => expectClose(fast[i], ref[i], name, name === 'mean' ? 1e-6 : 3e-3));
  });

  it('leaves no tensors behind (mean and variance are the caller\'s)', async () => {
    await setBackend('wasm');
    const x = tf.ones([2, 3, 3, 2]), g = tf.ones([2]) as tf.Tensor1D, b = tf.zeros([2]) as tf.Tensor1D;
    const before = tf.memory().numTensors;
    const out = batchNormTraining(x, g, b, eps);
    expect(tf.memory().numTensors - before).toBe(3);
    tf.dispose(out);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });
});
