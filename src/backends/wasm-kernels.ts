/**
 * Gradient kernels for the wasm backend, so that convolutions train fast on it.
 *
 * Stock `@tensorflow/tfjs-backend-wasm` 4.x has no `Conv2DBackpropFilter` kernel (training a conv
 * throws), and its `Conv2DBackpropInput` is several times slower than a forward conv of the same
 * size. Both gradients are convolutions themselves, so they are rebuilt here from the backend's
 * own fast XNNPACK `Conv2D` and `Transpose` kernels:
 *
 * - filter gradient: `dW = conv2d(xᵀ, dyᵀ)` where `xᵀ` is `x` with batch and channels swapped
 *   (`[Cin, H, W, N]`), `dyᵀ` is `dy` as a `[Ho, Wo, N, Cout]` filter, the forward stride becomes
 *   the dilation and the forward dilation becomes the stride; the `[Cin, KH, KW, Cout]` result is
 *   transposed to `[KH, KW, Cin, Cout]`.
 * - input gradient (stride 1): `dx = conv2d(dy, Wᵣ)` where `Wᵣ` is the filter rotated by 180° with
 *   in/out channels swapped, padded by `K - 1 - pad` on each side. Strided input gradients keep
 *   the stock kernel.
 *
 * Every kernel is checked against the cpu backend in `test/backends/wasm-kernels.test.ts`.
 *
 * @packageDocumentation
 */
import { tf } from './tf.js';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;
interface Backend {
  disposeData(dataId: unknown): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

const BACKEND = 'wasm';

function kernel(name: string): KernelFunc {
  const k = tf.getKernel(name, BACKEND);
  if (!k) throw new Error(`fer-cnn-lstm: the wasm backend has no ${name} kernel to build on`);
  return k.kernelFunc;
}

function run(name: string, inputs: Record<string, TensorInfo>, backend: unknown, attrs: object): TensorInfo {
  return kernel(name)({ inputs, backend, attrs } as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

function dispose(backend: unknown, ...infos: TensorInfo[]): void {
  for (const t of infos) (backend as Backend).disposeData(t.dataId);
}

function reshaped(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * `[N, H, W, C] → [C, H, W, N]`. The generic wasm transpose takes ~4× longer than two
 * cache-friendlier steps: a 2-D transpose `[NHW, C] → [C, N·HW]`, then `[C, N, HW] → [C, HW, N]`.
 */
function batchToLast(x: TensorInfo, backend: unknown): TensorInfo {
  const [n, h, w, c] = x.shape;
  const a = run('Transpose', { x: reshaped(x, [n * h * w, c]) }, backend, { perm: [1, 0] });
  const b = run('Transpose', { x: reshaped(a, [c, n, h * w]) }, backend, { perm: [0, 2, 1] });
  dispose(backend, a);
  return reshaped(b, [c, h, w, n]);
}

/** `[N, H, W, C] → [H, W, N, C]` as a 3-D transpose (faster than the 4-D one). */
function spatialFirst(x: TensorInfo, backend: unknown): TensorInfo {
  const [n, h, w, c] = x.shape;
  const t = run('Transpose', { x: reshaped(x, [n, h * w, c]) }, backend, { perm: [1, 0, 2] });
  return reshaped(t, [h, w, n, c]);
}

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

function convInfo(
  xShape: number[], filterShape: number[], strides: number | [number, number],
  dilations: number | [number, number], pad: tf.backend_util.ExplicitPadding | 'valid' | 'same' | number,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides, dilations, pad as never, dimRoundingMode, false, 'channelsLast');
}

/** `Conv2DBackpropFilter` on wasm, from Transpose + Conv2D. */
export function conv2DBackpropFilter(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { x: TensorInfo; dy: TensorInfo };
    backend: unknown;
    attrs: { strides: number | [number, number]; pad: never; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: number[] };
  };
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`fer-cnn-lstm: wasm Conv2DBackpropFilter supports NHWC only, got ${dataFormat}`);
  }
  const info = convInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const [, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  // Padding so that the transposed conv yields exactly kh × kw outputs; rows the forward conv never
  // read (valid padding with a stride) give a negative bottom pad: pad 0 there and slice after.
  const bottom = (kh - 1) + (ho - 1) * sh + 1 - h - top;
  const right = (kw - 1) + (wo - 1) * sw + 1 - w - left;
  const explicit: ExplicitPad = [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]];

  const xT = batchToLast(x, backend);
  const dyT = spatialFirst(dy, backend);
  let out = run('Conv2D', { x: xT, filter: dyT }, backend, {
    strides: [1, 1], pad: explicit, dilations: [sh, sw], dataFormat: 'NHWC',
  });
  dispose(backend, xT, dyT);
  if (out.shape[1] !== kh || out.shape[2] !== kw) {
    const sliced = run('Slice', { x: out }, backend, { begin: [0, 0, 0, 0], size: [out.shape[0], kh, kw, out.shape[3]] });
    dispose(backend, out);
    out = sliced;
  }
  const dW = run('Transpose', { x: out }, backend, { perm: [1, 2, 0, 3] });
  dispose(backend, out);
  return dW;
}

/**
 * The filter `[KH, KW, Cin, Cout]` rotated by 180° with in/out channels swapped
 * (`[KH, KW, Cout, Cin]`), in one JavaScript pass over the wasm heap: the backend's Reverse +
 * Transpose took up to 8 ms for a 3×3×128×128 filter.
 */
function rotatedSwappedFilter(filter: TensorInfo, backend: Backend): TensorInfo {
  const [kh, kw, cin, cout] = filter.shape;
  const out = backend.makeOutput([kh, kw, cout, cin], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(filter);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const from = (i * kw + j) * cin * cout;
      const to = ((kh - 1 - i) * kw + (kw - 1 - j)) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) dst[to + co * cin + ci] = src[from + ci * cout + co];
      }
    }
  }
  return out;
}

/**
 * `Conv2DBackpropInput` on wasm: a forward conv with the rotated filter when the stride is 1,
 * the stock kernel otherwise.
 */
export function makeConv2DBackpropInput(stock: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { dy: TensorInfo; filter: TensorInfo };
      backend: unknown;
      attrs: { strides: number | [number, number]; pad: never; dataFormat: string; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: number[] };
    };
    const { dy, filter } = inputs;
    const { strides, pad, dimRoundingMode, inputShape } = attrs;
    const info = convInfo(inputShape, filter.shape, strides, 1, pad, dimRoundingMode);
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== 'channelsLast') {
      if (!stock) throw new Error('fer-cnn-lstm: strided Conv2DBackpropInput needs the stock wasm kernel');
      return stock(args);
    }
    const { filterHeight: kh, filterWidth: kw } = info;
    const { top, bottom, left, right } = info.padInfo;
    const swapped = rotatedSwappedFilter(filter, backend as Backend);
    const explicit: ExplicitPad = [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]];
    const dx = run('Conv2D', { x: dy, filter: swapped }, backend, {
      strides: [1, 1], pad: explicit, dilations: [1, 1], dataFormat: 'NHWC',
    });
    dispose(backend, swapped);
    return dx;
  };
}

/**
 * `BatchMatMul` on wasm: the stock kernel is fast (XNNPACK) only without transposes; with
 * `transposeA`/`transposeB` (every matmul gradient) it falls back to a loop ~10–20× slower. An
 * explicit transpose first is far cheaper.
 */
export function makeBatchMatMul(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { a: TensorInfo; b: TensorInfo }; backend: unknown;
      attrs: { transposeA: boolean; transposeB: boolean };
    };
    if (!attrs.transposeA && !attrs.transposeB) return stock(args) as TensorInfo;
    const swapLast = (t: TensorInfo) => {
      const r = t.shape.length;
      const perm = [...Array(r).keys()];
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return run('Transpose', { x: t }, backend, { perm });
    };
    const a = attrs.transposeA ? swapLast(inputs.a) : inputs.a;
    const b = attrs.transposeB ? swapLast(inputs.b) : inputs.b;
    const out = stock({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as never) as TensorInfo;
    if (a !== inputs.a) dispose(backend, a);
    if (b !== inputs.b) dispose(backend, b);
    return out;
  };
}

/**
 * `MaxPoolGrad` on wasm, in JavaScript over the wasm heap: each output gradient goes to the first
 * maximum of its window (the cpu backend's rule). The stock kernel is several times slower.
 */
export function maxPoolGrad(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { inputs, backend, attrs } = args as unknown as {
    inputs: { dy: TensorInfo; input: TensorInfo }; backend: Backend;
    attrs: { filterSize: number | [number, number]; strides: number | [number, number]; pad: never; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  };
  const { dy, input } = inputs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const out = backend.makeOutput(input.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  let gi = 0;
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * ch;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(inHeight, r0 + filterHeight);
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(inWidth, c0 + filterWidth);
        for (let d = 0; d < ch; d++, gi++) {
          let best = Number.NEGATIVE_INFINITY;
          let pos = -1;
          for (let r = rMin; r < rMax; r++) {
            let idx = xb + (r * inWidth + cMin) * ch + d;
            for (let c = cMin; c < cMax; c++, idx += ch) {
              const v = x[idx];
              if (v > best) { best = v; pos = idx; }
            }
          }
          if (pos >= 0) dx[pos] += g[gi];
        }
      }
    }
  }
  return out;
}

/** Per-channel `[Σ a, Σ a·b]` (float64) over every axis but the last of two equal-length channels-last arrays. */
function channelSumsOf(a: Float32Array, b: Float32Array, c: number): [Float64Array, Float64Array] {
  const sa = new Float64Array(c);
  const sab = new Float64Array(c);
  for (let i = 0; i < a.length; i += c) {
    for (let k = 0; k < c; k++) {
      const v = a[i + k];
      sa[k] += v;
      sab[k] += v * b[i + k];
    }
  }
  return [sa, sab];
}

/**
 * `FerChannelMoments` (this library's own kernel): mean and (biased) variance of `x` per channel,
 * over every axis but the last, in one JavaScript pass over the wasm heap with float64 sums. The
 * stock path (`tf.moments` over the outer axes) transposes the whole activation twice and takes
 * about twice as long. (Element-wise work stays with the backend's SIMD ops: JavaScript passes
 * over the heap are slower than those.)
 */
export function channelMoments(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { inputs, backend } = args as unknown as { inputs: { x: TensorInfo }; backend: Backend };
  const { x } = inputs;
  const c = x.shape[x.shape.length - 1];
  const data = backend.typedArrayFromHeap(x);
  const n = data.length / c;
  const [sum, sq] = channelSumsOf(data, data, c);
  const mean = backend.makeOutput([c], 'float32');
  const variance = backend.makeOutput([c], 'float32');
  const m = backend.typedArrayFromHeap(mean);
  const v = backend.typedArrayFromHeap(variance);
  for (let k = 0; k < c; k++) {
    m[k] = sum[k] / n;
    v[k] = Math.max(0, sq[k] / n - (sum[k] / n) ** 2);
  }
  return [mean, variance];
}

/**
 * `FerChannelSums` (this library's own kernel): `[Σ a, Σ a·b]` per channel over every axis but the
 * last, in one pass: the two sums of the batch-norm gradient (`∂β = Σ dy`, `∂γ = Σ dy·x̂`).
 */
export function channelSums(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const { inputs, backend } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: Backend };
  const c = inputs.a.shape[inputs.a.shape.length - 1];
  const a = backend.typedArrayFromHeap(inputs.a);
  const b = backend.typedArrayFromHeap(inputs.b);
  if (a.length !== b.length) throw new Error(`fer-cnn-lstm: FerChannelSums needs equal shapes, got [${inputs.a.shape}] and [${inputs.b.shape}]`);
  const [sa, sab] = channelSumsOf(a, b, c);
  const outA = backend.makeOutput([c], 'float32');
  const outAB = backend.makeOutput([c], 'float32');
  backend.typedArrayFromHeap(outA).set(sa);
  backend.typedArrayFromHeap(outAB).set(sab);
  return [outA, outAB];
}

let installed = false;

/** The kernels {@link registerWasmTrainingKernels} can install. */
export type WasmTrainingKernel = 'Conv2DBackpropFilter' | 'Conv2DBackpropInput' | 'BatchMatMul' | 'MaxPoolGrad' | 'FerChannelMoments' | 'FerChannelSums';

/** All of them, in the order they were added while profiling a training step. */
export const WASM_TRAINING_KERNELS: readonly WasmTrainingKernel[] = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad', 'FerChannelMoments', 'FerChannelSums'];

function replace(name: WasmTrainingKernel, make: (stock: tf.KernelConfig | undefined) => KernelFunc): void {
  const stock = tf.getKernel(name, BACKEND);
  if (stock) tf.unregisterKernel(name, BACKEND);
  // keep the stock kernel's wasm setup: wrappers fall back to it
  tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: make(stock), setupFunc: stock?.setupFunc });
}

/**
 * Registers the fast training kernels on the wasm backend (idempotent). Call it after
 * `@tensorflow/tfjs-backend-wasm` is imported; {@link selectBackend} and `train()` do.
 * `only` installs a subset (benchmarks use it to measure each kernel's share); without
 * `Conv2DBackpropFilter` the wasm backend cannot train convolutions at all.
 *
 * @returns true when the kernels were registered by this call.
 */
export function registerWasmTrainingKernels(only: readonly WasmTrainingKernel[] = WASM_TRAINING_KERNELS): boolean {
  if (installed) return false;
  if (!tf.getKernel('Conv2D', BACKEND)) return false; // wasm backend not loaded
  installed = true;
  if (only.includes('Conv2DBackpropFilter')) replace('Conv2DBackpropFilter', () => conv2DBackpropFilter);
  if (only.includes('Conv2DBackpropInput')) replace('Conv2DBackpropInput', (stock) => makeConv2DBackpropInput(stock?.kernelFunc));
  if (only.includes('BatchMatMul')) replace('BatchMatMul', (stock) => makeBatchMatMul(stock!.kernelFunc));
  if (only.includes('MaxPoolGrad')) replace('MaxPoolGrad', () => maxPoolGrad);
  if (only.includes('FerChannelMoments')) replace('FerChannelMoments', () => channelMoments as unknown as KernelFunc);
  if (only.includes('FerChannelSums')) replace('FerChannelSums', () => channelSums as unknown as KernelFunc);
  return true;
}
