/**
 * Registers tfjs "chained ops" (`tensor.flatten()`, `tensor.reshape()`, …) on the Tensor class of
 * the `@tensorflow/tfjs-core` instance this package uses.
 *
 * `@tensorflow/tfjs-core` on its own does not install them (the `@tensorflow/tfjs` umbrella does, by
 * importing `dist/public/chained_ops/register_all_chained_ops`, an ES-module-only deep path that
 * CommonJS and some bundlers cannot load). tfjs-layers relies on a few of them (the LSTM's default
 * Orthogonal initializer calls `flatten()`), so without them building a model crashes with
 * `flatten is not a function`. Defining them here, from the public op namespace, works the same in
 * ESM, CJS and any bundler, and never replaces a method that is already there.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

type AnyFn = (...args: unknown[]) => unknown;
type Method = (this: tf.Tensor, ...args: unknown[]) => unknown;

/** Ops whose chained form is `x.op(...args) === tf.op(x, ...args)`. */
const DIRECT = [
  'abs', 'acos', 'acosh', 'add', 'all', 'any', 'argMax', 'argMin', 'asin', 'asinh', 'atan', 'atan2',
  'atanh', 'avgPool', 'batchToSpaceND', 'batchNorm', 'broadcastTo', 'cast', 'ceil', 'clipByValue',
  'conv1d', 'conv2d', 'conv2dTranspose', 'cos', 'cosh', 'cumprod', 'cumsum', 'depthToSpace',
  'depthwiseConv2d', 'dilation2d', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'erf', 'euclideanNorm',
  'exp', 'expandDims', 'expm1', 'fft', 'floor', 'floorDiv', 'gather', 'greater', 'greaterEqual',
  'ifft', 'irfft', 'isFinite', 'isInf', 'isNaN', 'leakyRelu', 'less', 'lessEqual',
  'localResponseNormalization', 'log', 'log1p', 'logSigmoid', 'logSoftmax', 'logSumExp',
  'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'matMul', 'max', 'maxPool', 'maximum',
  'mean', 'min', 'minimum', 'mirrorPad', 'mod', 'mul', 'neg', 'norm', 'notEqual', 'oneHot',
  'onesLike', 'pad', 'pool', 'pow', 'prelu', 'prod', 'reciprocal', 'relu', 'relu6', 'reshape',
  'resizeBilinear', 'resizeNearestNeighbor', 'reverse', 'rfft', 'round', 'rsqrt', 'selu',
  'separableConv2d', 'sigmoid', 'sign', 'sin', 'sinh', 'slice', 'softmax', 'softplus',
  'spaceToBatchND', 'split', 'sqrt', 'square', 'squaredDifference', 'squeeze', 'step',
  'stridedSlice', 'sub', 'sum', 'tan', 'tanh', 'tile', 'topk', 'transpose', 'unique',
  'unsortedSegmentSum', 'unstack', 'zerosLike',
] as const;

function special(ops: Record<string, AnyFn>): Record<string, Method> {
  const reshape = ops.reshape;
  const cast = ops.cast;
  const withSelf = (op: AnyFn): Method =>
    function (this: tf.Tensor, x: unknown, ...rest: unknown[]) {
      const list = Array.isArray(x) ? [this, ...x] : [this, x];
      return op(list, ...rest);
    };
  return {
    flatten(this: tf.Tensor) { return reshape(this, [this.size]); },
    as1D(this: tf.Tensor) { return reshape(this, [this.size]); },
    asScalar(this: tf.Tensor) { return reshape(this, []); },
    as2D(this: tf.Tensor, ...s: unknown[]) { return reshape(this, s); },
    as3D(this: tf.Tensor, ...s: unknown[]) { return reshape(this, s); },
    as4D(this: tf.Tensor, ...s: unknown[]) { return reshape(this, s); },
    as5D(this: tf.Tensor, ...s: unknown[]) { return reshape(this, s); },
    asType(this: tf.Tensor, dtype: unknown) { return cast(this, dtype); },
    toFloat(this: tf.Tensor) { return cast(this, 'float32'); },
    toInt(this: tf.Tensor) { return cast(this, 'int32'); },
    toBool(this: tf.Tensor) { return cast(this, 'bool'); },
    reshapeAs(this: tf.Tensor, other: unknown) { return reshape(this, (other as tf.Tensor).shape); },
    concat: withSelf(ops.concat),
    stack: withSelf(ops.stack),
    where(this: tf.Tensor, condition: unknown, other: unknown) { return ops.where(condition, this, other); },
  };
}

let registered = false;

/**
 * Installs the chained ops on `tf.Tensor.prototype` once. Idempotent, and it keeps any method
 * already defined (for example by `@tensorflow/tfjs` or `@tensorflow/tfjs-node`).
 * Called by this package's entry points; exported for users who build tfjs-layers models
 * themselves on top of tfjs-core.
 *
 * @returns the number of methods that were added.
 */
export function registerChainedOps(): number {
  if (registered) return 0;
  registered = true;
  const ops = tf as unknown as Record<string, AnyFn>;
  const proto = (tf.Tensor as unknown as { prototype: Record<string, unknown> }).prototype;
  let added = 0;
  const define = (name: string, fn: Method) => {
    if (typeof proto[name] === 'function') return;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      (this as unknown as { throwIfDisposed(): void }).throwIfDisposed();
      return fn.apply(this, args);
    };
    added++;
  };
  for (const name of DIRECT) {
    const op = ops[name];
    if (typeof op !== 'function') continue;
    define(name, function (this: tf.Tensor, ...args: unknown[]) { return op(this, ...args); });
  }
  for (const [name, fn] of Object.entries(special(ops))) define(name, fn);
  return added;
}
