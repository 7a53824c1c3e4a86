/**
 * The one place that imports TensorFlow.js. Every other module imports `tf`/`tfl` from here, so
 * chained ops are registered before any model is built, whatever the module format.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// The pure-JS backend, registered (priority 1) so that code which runs before any backend was
// selected — `buildCnnLstm()` first thing in a script — works on it instead of failing with "No
// backend found in registry". `selectBackend()` (and every prediction, which calls it unless a
// backend was chosen) still moves to wasm / tfjs-node.
import '@tensorflow/tfjs-backend-cpu';
import { registerChainedOps } from './chained-ops.js';

registerChainedOps();
fastOrthogonalInitializer();

/**
 * tfjs-layers' Orthogonal initializer (the LSTM's recurrent kernel) draws a Gaussian matrix and
 * takes the Q of its QR decomposition with tf ops: 65,536 elements for the default 128-unit LSTM,
 * about 1 s on wasm but 60–100 s on the cpu backend, with a "Slowness may result" warning every
 * build. This replaces only the decomposition: the same seeded Gaussian matrix (`tf.randomNormal`),
 * then modified Gram–Schmidt in float64 in plain JavaScript (a few milliseconds on any backend),
 * giving the same Q (the one whose R has a positive diagonal, as tfjs-layers makes it) to float32
 * precision. Other dtypes and shapes go to the original.
 */
function fastOrthogonalInitializer(): void {
  type Orthogonal = { gain: number; seed?: number; apply: (shape: number[], dtype?: tf.DataType) => tf.Tensor; __ferFast?: boolean };
  const proto = Object.getPrototypeOf(tfl.initializers.orthogonal({})) as Orthogonal;
  if (proto.__ferFast) return;
  const original = proto.apply;
  proto.apply = function (this: Orthogonal, shape: number[], dtype?: tf.DataType): tf.Tensor {
    if (!Array.isArray(shape) || shape.length < 2 || (dtype !== undefined && dtype !== 'float32')) return original.call(this, shape, dtype);
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1];
    const m = Math.max(rows, cols), n = Math.min(rows, cols);
    const gaussian = tf.randomNormal([m, n], 0, 1, 'float32', this.seed);
    const a = Float64Array.from(gaussian.dataSync());
    gaussian.dispose();
    // modified Gram–Schmidt on the n columns of the row-major m×n matrix a, in place → Q
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += a[i * n + k] * a[i * n + j];
        for (let i = 0; i < m; i++) a[i * n + j] -= dot * a[i * n + k];
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += a[i * n + j] * a[i * n + j];
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < m; i++) a[i * n + j] /= norm;
    }
    const gain = this.gain ?? 1;
    const q = new Float32Array(m * n);
    if (rows >= cols) for (let i = 0; i < m * n; i++) q[i] = gain * a[i];
    else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j * m + i] = gain * a[i * n + j]; // transpose: rows × cols
    return tf.tensor(q, shape, 'float32');
  };
  proto.__ferFast = true;
}

export { tf, tfl };
