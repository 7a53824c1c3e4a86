/**
 * The training loss and one shard's gradient computation, shared by the in-process trainer and
 * the worker threads.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { augment, type AugmentOptions } from '../data/augment.js';
import { Random } from '../util/random.js';

/** One shard of a batch: raw pixels and labels, plus how to treat them. */
export interface ShardRequest {
  /** `n × size × size` gray bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
  size: number;
  numClasses: number;
  /** Augmentation (with its seed) applied to this shard, if any. */
  augment?: AugmentOptions;
  /** Mixup within this shard (after augmentation): Beta(α, α) and the seed of its draws. */
  mixup?: { alpha: number; seed: number };
  /** CutMix within this shard (after augmentation): Beta(α, α) and the seed of its draws. */
  cutmix?: { alpha: number; seed: number };
  /** Label smoothing ε: targets become `y(1−ε) + ε/K`. */
  labelSmoothing: number;
  /** Loss weight per class, or none. */
  classWeights?: number[];
  /**
   * Distillation: a teacher's class probabilities for each image (`n × numClasses`) and their
   * weight w: targets become `(1 − w) · smoothed label + w · teacher`.
   */
  soft?: { probs: Float32Array; weight: number };
  /** Size of the whole batch this shard belongs to (the regularization share). */
  batchSize: number;
}

/** Gradients of one shard's summed loss. */
export interface ShardGradients {
  /** Gradients of the summed (not averaged) loss, in `model.trainableWeights` order. */
  grads: tf.Tensor[];
  /** Summed per-image loss. */
  lossSum: number;
  /** Correct top-1 predictions. */
  correct: number;
  count: number;
}

/**
 * The mixup draw of one shard of `n` images (Zhang et al., 2018): the weight λ ~ Beta(α, α) and
 * the partner of each image, a seeded permutation. The shard trains on `λ·x + (1−λ)·x[perm]`
 * against `λ·y + (1−λ)·y[perm]`.
 */
export function mixupDraw(n: number, alpha: number, seed: number): { lambda: number; perm: Int32Array } {
  const random = new Random(seed);
  const lambda = random.beta(alpha, alpha);
  const perm = random.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  return { lambda, perm };
}

/**
 * The CutMix draw of one shard of `n` images of `size × size` (Yun et al., 2019): λ ~ Beta(α, α),
 * a box of `(1 − λ)` of the image's area (its side `size·√(1 − λ)`, centred uniformly, clipped to
 * the image) and the partner of each image, a seeded permutation. Each image gets its partner's
 * pixels inside the box; `lambda` is then the share of the image left outside the box (the clipped
 * box's area decides it), the weight of the image's own label.
 */
export function cutmixDraw(n: number, alpha: number, seed: number, size: number): { lambda: number; perm: Int32Array; box: { x0: number; y0: number; x1: number; y1: number } } {
  const random = new Random(seed);
  const drawn = random.beta(alpha, alpha);
  const side = size * Math.sqrt(1 - drawn);
  const cx = random.next() * size, cy = random.next() * size;
  const clip = (v: number): number => Math.max(0, Math.min(size, Math.round(v)));
  const box = { x0: clip(cx - side / 2), y0: clip(cy - side / 2), x1: clip(cx + side / 2), y1: clip(cy + side / 2) };
  const lambda = 1 - ((box.x1 - box.x0) * (box.y1 - box.y0)) / (size * size);
  const perm = random.shuffle(Int32Array.from({ length: n }, (_, i) => i));
  return { lambda, perm, box };
}

/** Pixels → `[n, size, size, 1]` float32 in [0, 1]. */
export function pixelsToTensor(pixels: Uint8Array, size: number): tf.Tensor4D {
  const n = pixels.length / (size * size);
  return tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(pixels), [n, size, size, 1]), 255));
}

/**
 * Summed cross-entropy of softmax outputs `probs` against integer labels, with label smoothing
 * and optional class weights; with `soft` (a teacher's `n × numClasses` probabilities and their
 * weight w), against `(1 − w) · smoothed label + w · teacher`.
 */
export function crossEntropySum(probs: tf.Tensor, labels: tf.Tensor1D, numClasses: number, labelSmoothing: number, classWeights?: number[], soft?: { probs: tf.Tensor; weight: number }): tf.Scalar {
  return tf.tidy(() => {
    let y: tf.Tensor = tf.cast(tf.oneHot(labels, numClasses), "float32");
    if (labelSmoothing > 0) y = tf.add(tf.mul(y, 1 - labelSmoothing), labelSmoothing / numClasses);
    if (soft && soft.weight > 0) y = tf.add(tf.mul(y, 1 - soft.weight), tf.mul(soft.probs, soft.weight));
    const logp = tf.log(tf.clipByValue(probs, 1e-7, 1));
    let perImage = tf.neg(tf.sum(tf.mul(y, logp), 1));
    if (classWeights) perImage = tf.mul(perImage, tf.gather(tf.tensor1d(classWeights), labels));
    // clipByValue maps NaN to its lower bound on wasm: let a NaN/Inf output poison the loss
    perImage = tf.add(perImage, tf.mul(tf.sum(probs, 1), 0));
    return tf.sum(perImage) as tf.Scalar;
  });
}

/** The trainable variables of a model, in `trainableWeights` order. */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

/**
 * Forward and backward pass of one shard in training mode (dropout on, batch norm on shard
 * statistics, moving averages updated). The caller owns the returned gradient tensors.
 */
export function shardGradients(model: tfl.LayersModel, req: ShardRequest): ShardGradients {
  const vars = trainableVariables(model);
  let correct = 0;
  const count = req.labels.length;
  const { value, grads } = tf.tidy(() => {
    let xs = pixelsToTensor(req.pixels, req.size);
    if (req.augment) xs = augment(xs, req.augment);
    const labels = tf.tensor1d(Int32Array.from(req.labels), 'int32');
    const teacher = req.soft ? tf.tensor2d(req.soft.probs, [count, req.numClasses]) : undefined;
    let mix: { lambda: number; partners: tf.Tensor1D; partnerTeacher?: tf.Tensor } | undefined;
    const cut = !req.mixup && req.cutmix ? cutmixDraw(count, req.cutmix.alpha, req.cutmix.seed, req.size) : undefined;
    const draw = req.mixup ? mixupDraw(count, req.mixup.alpha, req.mixup.seed) : cut;
    if (draw) {
      const { lambda, perm } = draw;
      const p = tf.tensor1d(perm, 'int32');
      mix = { lambda, partners: tf.gather(labels, p), partnerTeacher: teacher ? tf.gather(teacher, p) : undefined };
      // the weights of each image's own pixels and of its partner's: λ and 1 − λ everywhere (mixup),
      // or the partner's pixels inside the box and the image's own outside it (cutmix)
      let own: tf.Tensor, other: tf.Tensor;
      if (cut) {
        const { box } = cut, inBox = new Float32Array(req.size * req.size);
        for (let y = box.y0; y < box.y1; y++) inBox.fill(1, y * req.size + box.x0, y * req.size + box.x1);
        other = tf.tensor4d(inBox, [1, req.size, req.size, 1]);
        own = tf.sub(1, other);
      } else {
        [own, other] = [tf.scalar(lambda), tf.scalar(1 - lambda)];
      }
      xs = tf.add(tf.mul(xs, own), tf.mul(tf.gather(xs, p), other));
    }
    const out = tf.variableGrads(() => {
      const probs = model.apply(xs, { training: true }) as tf.Tensor;
      // with mixup or cutmix, a prediction is right when it names the label with the larger weight
      const target = mix && mix.lambda < 0.5 ? mix.partners : labels;
      correct = tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), target), 'int32')).arraySync() as number;
      const ce = (y: tf.Tensor1D, t?: tf.Tensor) => crossEntropySum(probs, y, req.numClasses, req.labelSmoothing, req.classWeights,
        t ? { probs: t, weight: req.soft!.weight } : undefined);
      let loss = mix
        ? tf.add(tf.mul(ce(labels, teacher), mix.lambda), tf.mul(ce(mix.partners, mix.partnerTeacher), 1 - mix.lambda)) as tf.Scalar
        : ce(labels, teacher);
      const reg = model.losses as unknown as (() => tf.Scalar)[];
      if (reg.length > 0) loss = tf.add(loss, tf.mul(tf.addN(reg.map((r) => r())), count));
      return loss as tf.Scalar;
    }, vars);
    return { value: out.value, grads: vars.map((v) => out.grads[v.name]) };
  });
  const lossSum = value.dataSync()[0];
  value.dispose();
  return { grads, lossSum, correct, count };
}
