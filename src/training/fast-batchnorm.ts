/**
 * A training-mode batch normalization with a fused, hand-written gradient.
 *
 * tfjs-layers' `BatchNormalization` trains through `tf.moments` and the generic `FusedBatchNorm`
 * gradient, which tiles the inverse deviation to the full activation size and then backpropagates
 * through the mean and variance again: on wasm that costs more than the convolutions it follows.
 * The closed form used here needs two channel sums and three element-wise passes (on wasm the
 * channel statistics and sums run as this library's one-pass kernels `FerChannelMoments` and
 * `FerChannelSums`, src/backends/wasm-kernels.ts):
 *
 *   x̂ = (x − μ)/σ,  y = γ·x̂ + β
 *   ∂β = Σ dy,  ∂γ = Σ dy·x̂,  ∂x = γ/(σ·n) · (n·dy − ∂β − x̂·∂γ)
 *
 * The layers keep their class (`BatchNormalization`), weights and serialization: only their
 * `call` in training mode is replaced, so saved models load anywhere.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';

interface BatchNormLayer {
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[];
  gamma: { read(): tf.Tensor } | null;
  beta: { read(): tf.Tensor } | null;
  movingMean: { read(): tf.Tensor; write(v: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(v: tf.Tensor): void };
  epsilon: number;
  momentum: number;
  axis: number | number[];
  __ferFastBn?: boolean;
}

/** Whether the current backend has this library's one-pass channel kernels (wasm, after `registerWasmTrainingKernels`). */
function hasKernel(name: 'FerChannelMoments' | 'FerChannelSums'): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Per-channel mean and (biased) variance over every axis but the last. */
function channelMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (hasKernel('FerChannelMoments')) {
    const [mean, variance] = tf.engine().runKernel('FerChannelMoments', { x }, {}) as tf.Tensor1D[];
    return { mean, variance };
  }
  const m = tf.moments(x, [...Array(x.rank - 1).keys()]);
  return { mean: m.mean as tf.Tensor1D, variance: m.variance as tf.Tensor1D };
}

/** Per-channel `[Σ a, Σ a·b]` over every axis but the last. */
function channelSums(a: tf.Tensor, b: tf.Tensor): [tf.Tensor1D, tf.Tensor1D] {
  if (hasKernel('FerChannelSums')) return tf.engine().runKernel('FerChannelSums', { a, b }, {}) as tf.Tensor1D[] as [tf.Tensor1D, tf.Tensor1D];
  const c = a.shape[a.rank - 1];
  const sum = (t: tf.Tensor) => tf.sum(tf.reshape(t, [-1, c]), 0) as tf.Tensor1D;
  return [sum(a), sum(tf.mul(a, b))];
}

/**
 * The fused training-mode batch norm over all axes but the last.
 * Returns `[y, mean, variance]`; only `y` carries a gradient (to x, gamma, beta).
 */
export function batchNormTraining(
  x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number,
): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const m = channelMoments(xi);
    mean = tf.keep(m.mean as tf.Tensor1D);
    variance = tf.keep(m.variance as tf.Tensor1D);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(xi, mean), invStd);
    save([xhat, invStd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, inv, gm] = saved;
        const n = xh.size / xh.shape[xh.rank - 1];
        const [dBeta, dGamma] = channelSums(dy, xh);
        const k = tf.mul(gm, tf.div(inv, n));
        const dx = tf.mul(tf.sub(tf.sub(tf.mul(dy, n), dBeta), tf.mul(xh, dGamma)), k);
        return [dx, dGamma, dBeta];
      },
    };
  }) as never);
  const y = (f as unknown as (...t: tf.Tensor[]) => tf.Tensor)(x, gamma, beta);
  return [y, mean, variance];
}

/**
 * Makes every `BatchNormalization` layer of `model` (channels-last, with scale and center) train
 * through {@link batchNormTraining}. Inference is unchanged. Idempotent.
 *
 * @returns the number of layers patched.
 */
export function useFastBatchNorm(model: tfl.LayersModel): number {
  let patched = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const bn = layer as unknown as BatchNormLayer;
    if (bn.__ferFastBn) { patched++; continue; }
    const axis = Array.isArray(bn.axis) ? bn.axis : [bn.axis];
    if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== (layer.inputSpec?.[0]?.ndim ?? 0) - 1)) continue;
    if (!bn.gamma || !bn.beta) continue;
    const original = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => {
      if (!kwargs?.training) return original(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.tidy(() => {
        const [y, mean, variance] = batchNormTraining(x, bn.gamma!.read() as tf.Tensor1D, bn.beta!.read() as tf.Tensor1D, bn.epsilon);
        const decay = 1 - bn.momentum;
        for (const [v, value] of [[bn.movingMean, mean], [bn.movingVariance, variance]] as const) {
          const orig = v.read();
          v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
        }
        mean.dispose();
        variance.dispose();
        return y;
      });
    };
    bn.__ferFastBn = true;
    patched++;
  }
  return patched;
}
