/**
 * `EmotionClassifier`: an emotion model loaded once — from a shipped variant, a path or a loaded
 * model — with its test-time augmentation, classes and class prior, and its folded and compiled
 * forward pass; classify images with it as many times as needed, then `dispose()` it.
 *
 * @packageDocumentation
 */
import { tf, type tfl } from '../backends/tf.js';
import { EMOTIONS, type Emotion } from '../emotions.js';
import { InferencePass } from '../model/fold.js';
import type { WeightPrecision } from '../model/quantize.js';
import { ensureBackend } from './backend.js';
import { grayToTensor, toGrayImages, type ImageInput, type InputOptions, type ModelInput } from './input.js';
import { applyPrior, priorFactors, priorName, type ClassPrior } from './prior.js';
import { predictWithTta, ttaViews, type TtaMode } from './tta.js';
import { SHIPPED_VARIANTS, type ModelVariant } from './variants.js';
import { loadEmotionModel, loadModelSource, onModelCacheClear, shippedChoice, type ModelSource } from './weights.js';
import { isNode } from '../util/env.js';

/** The full answer for one image. */
export interface Classification<C extends string = Emotion> {
  /** The most likely class (the highest score). */
  emotion: C;
  /** Its score, 0–1. */
  confidence: number;
  /** Probability of every class (they sum to 1), in class order. */
  scores: Record<C, number>;
  /**
   * Present (and `true`) when the image has almost no contrast: the standard deviation of its
   * 48×48 gray pixels is below {@link LOW_CONTRAST_STD} gray levels (a blank, uniform or
   * nearly black frame). The model standardizes every image, so such an image still gets a label,
   * but the answer says nothing about a face; the CLI prints a warning on stderr.
   */
  lowContrast?: true;
}

/** Gray-level standard deviation (0–255 scale, of the model-sized image) below which an image is flagged {@link Classification.lowContrast}. */
export const LOW_CONTRAST_STD = 2;

/** A single image: any {@link ImageInput} but an array (a 4-D tensor is a batch). */
export type SingleImageInput = Exclude<ImageInput, tf.Tensor4D>;

/** A batch: an array of images, or a 4-D tensor `[n, h, w, c]`. */
export type BatchInput = readonly ImageInput[] | tf.Tensor4D;

/** Options of {@link EmotionClassifier.load}: which model, and how it answers. */
export interface EmotionClassifierOptions<C extends string = Emotion> extends ModelSource {
  /**
   * Test-time augmentation the classifier runs unless a call says otherwise: `true` or `'flip'`
   * also predicts the horizontally flipped image and averages the two (a little more accurate,
   * twice the work); `'auto'` does so only for the images whose first view is unsure (top
   * probability below `AUTO_TTA_CONFIDENCE`, 0.5: on FER-2013 the accuracy of `'flip'` for about a
   * quarter of its extra work); `'ten-crop'` averages 5 crops and their mirrors (10× the work).
   * Default: the shipped `variant`'s ({@link SHIPPED_VARIANTS}: `'auto'` for the default model,
   * `'flip'` for `'accurate'`), false for a `model` or `weights` of your own.
   */
  tta?: TtaMode;
  /**
   * Class names in output order, for a fine-tuned model whose classes are not the 7 FER-2013
   * emotions. Default: {@link EMOTIONS}. Must match the model's number of outputs.
   */
  classes?: readonly C[];
  /**
   * The class prior the probabilities are for (see {@link ClassPrior}): `'training'` (default:
   * the model's own, FER-2013's class frequencies), `'uniform'` for faces balanced across
   * emotions (lab studies, posed sets), a weight τ in 0–1, or each class's expected frequency.
   */
  classPrior?: ClassPrior;
  /** Images per forward pass for large batches. Default 64. */
  batchSize?: number;
}

/** Per-call options of {@link EmotionClassifier.classify} and {@link EmotionClassifier.probabilities}. */
export interface ClassifyOptions extends Pick<InputOptions, 'tensorRange'> {
  /** Test-time augmentation for this call. Default: the classifier's {@link EmotionClassifier.tta}. */
  tta?: TtaMode;
  /** Images per forward pass. Default: the classifier's (64 unless set at load). */
  batchSize?: number;
}

/** What a classifier and its views share: the model, its forward pass, where it came from. */
interface Core {
  model: tfl.LayersModel;
  pass: InferencePass;
  /** Whether disposing the classifier disposes the model (it loaded it). */
  owned: boolean;
  /** Where the weights came from (the first part of the classifier's id). */
  source: string;
  /** The stored precision of shipped weights. */
  precision?: WeightPrecision;
  variant?: ModelVariant;
  size: number;
  outputs: number;
}

function inputSide(model: tfl.LayersModel): number {
  const shapes = model.inputs.map((i) => i.shape);
  const s = shapes[0];
  if (shapes.length !== 1 || s.length !== 4 || s[3] !== 1 || s[1] === null || s[1] !== s[2]) {
    throw new Error(`the model's input is ${JSON.stringify(shapes.length === 1 ? s : shapes)}: expected one square gray image input [null, size, size, 1]`);
  }
  return s[1];
}

function outputCount(model: tfl.LayersModel): number {
  const shapes = model.outputs.map((o) => o.shape);
  const s = shapes[0];
  if (shapes.length !== 1 || s.length !== 2 || typeof s[1] !== 'number') {
    throw new Error(`the model's output is ${JSON.stringify(shapes.length === 1 ? s : shapes)}: expected one [null, classes] output`);
  }
  return s[1];
}

/** Turns each row into probabilities: rows that already are (non-negative, sum ≈ 1) are renormalised, others (logits) get a softmax. */
function toProbabilities(values: ArrayLike<number>, k: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length / k; r++) {
    let sum = 0, min = Infinity, max = -Infinity;
    for (let j = 0; j < k; j++) { const v = values[r * k + j]; sum += v; min = Math.min(min, v); max = Math.max(max, v); }
    if (min >= 0 && Math.abs(sum - 1) < 1e-3) {
      for (let j = 0; j < k; j++) out[r * k + j] = values[r * k + j] / sum;
    } else {
      let z = 0;
      for (let j = 0; j < k; j++) { out[r * k + j] = Math.exp(values[r * k + j] - max); z += out[r * k + j]; }
      for (let j = 0; j < k; j++) out[r * k + j] /= z;
    }
  }
  return out;
}

/** The standard deviation of each `px`-byte image of `pixels`. */
function pixelStd(pixels: Uint8Array, px: number, i: number): number {
  let sum = 0, sq = 0;
  for (let j = i * px; j < (i + 1) * px; j++) { sum += pixels[j]; sq += pixels[j] * pixels[j]; }
  const mean = sum / px;
  return Math.sqrt(Math.max(0, sq / px - mean * mean));
}

function checkBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  return batchSize;
}

/** `predict` over `x` in slices of at most `batchSize` images, concatenated. Call inside `tf.tidy`. */
function inBatches(predict: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D, batchSize: number): tf.Tensor {
  const n = x.shape[0];
  if (n <= batchSize) return predict(x);
  const parts: tf.Tensor[] = [];
  for (let s = 0; s < n; s += batchSize) parts.push(predict(tf.slice(x, s, Math.min(batchSize, n - s))));
  return tf.concat(parts, 0);
}

let anonymous = 0;
const objectIds = new WeakMap<object, number>();
/** A name for an object without a location (a model, an IOHandler): unique in this process. */
function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) { id = ++anonymous; objectIds.set(o, id); }
  return id;
}

/** Where `source`'s weights come from, as the first part of a classifier's id. */
async function sourceName(source: ModelSource): Promise<{ source: string; precision?: WeightPrecision; variant?: ModelVariant }> {
  if (source.model) return { source: `model:${source.model.name}#${objectId(source.model)}` };
  const w = source.weights;
  if (w === undefined) {
    const { precision, variant } = shippedChoice(source);
    return { source: `shipped:${variant}/${precision}`, precision, variant };
  }
  if (typeof w === 'string') {
    if (/^[a-z][a-z0-9+.-]*:/i.test(w) && !/^[a-z]:[\\/]/i.test(w)) return { source: w };
    return { source: isNode ? (await import('node:path')).resolve(w) : w };
  }
  if (w instanceof URL) return { source: w.href };
  return { source: `handler#${objectId(w as object)}` };
}

function formatId(source: string, tta: TtaMode, prior: ClassPrior | undefined): string {
  return `${source} tta=${String(tta)} prior=${priorName(prior)}`;
}

/**
 * The {@link EmotionClassifier.id} that a classifier loaded with `options` has, without loading
 * it (for naming results before a model is at hand, e.g. in queue job ids). A `model` given as is
 * has an id of its own in each process.
 *
 * @example
 * ```ts
 * await emotionClassifierId();                       // 'shipped:default/float32 tta=auto prior=training'
 * await emotionClassifierId({ weights: 'runs/best' }); // '/home/me/runs/best tta=false prior=training'
 * ```
 */
export async function emotionClassifierId(options: Omit<EmotionClassifierOptions<string>, 'backend' | 'classes' | 'batchSize'> = {}): Promise<string> {
  const tta = options.tta ?? defaultTta(options);
  ttaViews(tta);
  return formatId((await sourceName(options)).source, tta, options.classPrior);
}

/** The TTA a model runs with unless told otherwise: the shipped variant's own, none for a model or weights of the caller's. */
function defaultTta(source: ModelSource): TtaMode {
  return source.model || source.weights !== undefined ? false : SHIPPED_VARIANTS[shippedChoice(source).variant].tta;
}

/** Forward passes of models the caller owns (or the model cache does): one per model. */
const sharedCores = new WeakMap<tfl.LayersModel, Core>();
onModelCacheClear((model) => {
  sharedCores.get(model)?.pass.dispose();
  sharedCores.delete(model);
});

function makeCore(model: tfl.LayersModel, owned: boolean, where: Awaited<ReturnType<typeof sourceName>>): Core {
  return { model, pass: new InferencePass(model), owned, ...where, size: inputSide(model), outputs: outputCount(model) };
}

/** The shared core of a model that this module does not own (its pass freed with the model cache, or when the model is collected). */
function sharedCore(model: tfl.LayersModel, where: Awaited<ReturnType<typeof sourceName>>): Core {
  let core = sharedCores.get(model);
  if (!core) {
    core = makeCore(model, false, where);
    core.pass.freeWhenCollected();
    sharedCores.set(model, core);
  }
  return core;
}

/**
 * An emotion model loaded once, ready to classify images as many times as needed: the model (a
 * shipped variant, weights of your own or a loaded model), its test-time augmentation, classes
 * and class prior, and its batch-norm-folded, compiled forward pass. Its {@link id} names all of
 * that. `dispose()` frees it.
 *
 * @example
 * ```ts
 * const classifier = await EmotionClassifier.load({ variant: 'accurate' });
 * const { emotion, confidence } = await classifier.classify('face.jpg');
 * const many = await classifier.classify(['a.png', 'b.png'], { tta: false });
 * classifier.dispose();
 * ```
 */
export class EmotionClassifier<C extends string = Emotion> {
  /** The test-time augmentation this classifier runs unless a call says otherwise. */
  readonly tta: TtaMode;
  /** Its class names, in output order. */
  readonly classes: readonly C[];
  /** The class prior its probabilities are for. */
  readonly classPrior: ClassPrior;
  /**
   * What this classifier answers with: the weights (`shipped:<variant>/<precision>`, a resolved
   * path, a URL, or `model:<name>#<n>` for a model given as is), the TTA and the class prior, e.g.
   * `shipped:default/float32 tta=auto prior=training`. Two classifiers with the same id give the
   * same answers.
   */
  readonly id: string;
  private readonly core: Core;
  private readonly factors: Float64Array | undefined;
  private readonly batchSize: number;
  private readonly isView: boolean;
  private disposed = false;

  private constructor(core: Core, options: { tta: TtaMode; classes?: readonly C[]; classPrior?: ClassPrior; batchSize?: number }, isView: boolean) {
    ttaViews(options.tta);
    this.core = core;
    this.isView = isView;
    this.tta = options.tta;
    this.batchSize = checkBatchSize(options.batchSize ?? 64);
    const k = core.outputs;
    const classes = (options.classes ?? EMOTIONS) as readonly C[];
    if (classes.length !== k) {
      throw new Error(options.classes
        ? `the model has ${k} outputs but ${classes.length} classes were given`
        : `the model has ${k} outputs, not the ${EMOTIONS.length} FER-2013 emotions: pass \`classes\` (${k} names in output order)`);
    }
    this.classes = classes;
    this.classPrior = options.classPrior ?? 'training';
    this.factors = priorFactors(this.classPrior, classes);
    this.id = formatId(core.source, this.tta, this.classPrior);
  }

  /**
   * Loads a classifier: the model of `options.model` (used as is, not disposed with the
   * classifier), else of `options.weights`, else the shipped `options.variant` at
   * `options.precision`. The model is loaded for this classifier alone (not shared with
   * `predictEmotion`'s cache) and freed by {@link dispose}, with the classifier's forward pass.
   *
   * @throws Error when the weights are missing or unreadable (naming where), or do not match `classes`;
   *   RangeError for a bad `variant`, `precision`, `tta`, `classPrior` or `batchSize`.
   */
  static async load<C extends string = Emotion>(options: EmotionClassifierOptions<C> = {}): Promise<EmotionClassifier<C>> {
    const where = await sourceName(options);
    const tta = options.tta ?? defaultTta(options);
    ttaViews(tta);
    priorFactors(options.classPrior, (options.classes ?? EMOTIONS) as readonly string[]);
    const model = await loadModelSource(options);
    const owned = !options.model;
    try {
      return new EmotionClassifier<C>(makeCore(model, owned, where), { ...options, tta }, false);
    } catch (e) {
      if (owned) model.dispose();
      throw e;
    }
  }

  /**
   * A classifier of a model already in memory (a model being trained, a teacher): no loading, no
   * backend selection; the model is neither copied nor disposed with the classifier (its forward
   * pass follows later weight changes). Default TTA: none. Default classes: the 7 emotions for a
   * model with 7 outputs, else `class 0`, `class 1`, ….
   */
  static fromModel<C extends string = Emotion>(model: tfl.LayersModel, options: Omit<EmotionClassifierOptions<C>, keyof ModelSource> = {}): EmotionClassifier<C> {
    const core = makeCore(model, false, { source: `model:${model.name}#${objectId(model)}` });
    const k = core.outputs;
    const classes = options.classes ?? (k === EMOTIONS.length ? EMOTIONS : Array.from({ length: k }, (_, i) => `class ${i}`)) as readonly C[];
    return new EmotionClassifier<C>(core, { ...options, classes, tta: options.tta ?? false }, false);
  }

  /**
   * @internal The classifier that `predictEmotion` and `classifyEmotion` use for `options`: the
   * model from the shared cache (`loadEmotionModel`), its forward pass shared by every call.
   */
  static async shared<C extends string = Emotion>(options: EmotionClassifierOptions<C> = {}): Promise<EmotionClassifier<C>> {
    const tta = options.tta ?? defaultTta(options);
    ttaViews(tta);
    const model = await loadEmotionModel(options);
    const core = sharedCores.get(model) ?? sharedCore(model, await sourceName(options));
    return new EmotionClassifier<C>(core, { ...options, tta }, true);
  }

  /** The model (not a copy: do not dispose it while the classifier is in use). */
  get model(): tfl.LayersModel {
    return this.core.model;
  }

  /** The model that prediction runs: the batch-norm-folded copy of {@link model} (or the model itself where folding does not apply). */
  get inferenceModel(): tfl.LayersModel {
    return this.core.pass.inferenceModel;
  }

  /** The side of the square gray images the model takes (48 for the shipped models). */
  get inputSize(): number {
    return this.core.size;
  }

  /** The shipped variant, when the classifier runs one. */
  get variant(): ModelVariant | undefined {
    return this.core.variant;
  }

  /** The stored precision of the shipped weights, when the classifier runs a shipped variant. */
  get precision(): WeightPrecision | undefined {
    return this.core.precision;
  }

  private check(options: ClassifyOptions): { tta: TtaMode; batchSize: number } {
    if (this.disposed) throw new Error(`the emotion classifier (${this.id}) was disposed`);
    const tta = options.tta ?? this.tta;
    ttaViews(tta);
    return { tta, batchSize: checkBatchSize(options.batchSize ?? this.batchSize) };
  }

  /** Raw model outputs (TTA views averaged) for `[n, s, s, 1]` input; the caller disposes the tensor. */
  private forward(x: tf.Tensor4D, tta: TtaMode, batchSize: number): tf.Tensor {
    const pass = this.core.pass;
    return tf.tidy(() => predictWithTta((v) => inBatches((b) => pass.forward(b), v, batchSize), x, tta));
  }

  /**
   * Class probabilities (prior applied) of `n` model-sized 8-bit gray images
   * (`n × inputSize × inputSize` bytes, as `FerDataset.images` holds them), `n × classes` in class order.
   * Synchronous: for datasets and training loops; {@link classify} takes any image.
   */
  probabilities(pixels: Uint8Array, options: Omit<ClassifyOptions, 'tensorRange'> = {}): Float32Array {
    const { tta, batchSize } = this.check(options);
    const size = this.core.size;
    const px = size * size;
    if (pixels.length % px !== 0) throw new RangeError(`${pixels.length} bytes are not a whole number of ${size}×${size} images`);
    const k = this.core.outputs;
    const n = pixels.length / px;
    const out = new Float32Array(n * k);
    for (let s = 0; s < n; s += batchSize) {
      const e = Math.min(n, s + batchSize);
      const x = grayToTensor(pixels.subarray(s * px, e * px), size);
      try {
        const y = this.forward(x, tta, batchSize);
        try { out.set(toProbabilities(y.dataSync(), k), s * k); } finally { y.dispose(); }
      } finally {
        x.dispose();
      }
    }
    return applyPrior(out, k, this.factors);
  }

  /**
   * Classifies the facial emotion of an image (or a batch: an array or a 4-D tensor): the most
   * likely class, its confidence and every class's probability. Any size and colour is accepted
   * (see {@link ImageInput}); the image should be a face, roughly cropped as in FER-2013.
   *
   * @throws ImageInputError for input that is not an image.
   */
  classify(input: BatchInput, options?: ClassifyOptions): Promise<Classification<C>[]>;
  classify(input: SingleImageInput, options?: ClassifyOptions): Promise<Classification<C>>;
  classify(input: ModelInput, options?: ClassifyOptions): Promise<Classification<C> | Classification<C>[]>;
  async classify(input: ModelInput, options: ClassifyOptions = {}): Promise<Classification<C> | Classification<C>[]> {
    const { results, batch } = await this.run(input, options);
    return batch ? results : results[0];
  }

  /** The most likely class of an image (or of each of a batch): {@link classify}`(…).emotion`. */
  predict(input: BatchInput, options?: ClassifyOptions): Promise<C[]>;
  predict(input: SingleImageInput, options?: ClassifyOptions): Promise<C>;
  predict(input: ModelInput, options?: ClassifyOptions): Promise<C | C[]>;
  async predict(input: ModelInput, options: ClassifyOptions = {}): Promise<C | C[]> {
    const { results, batch } = await this.run(input, options);
    return batch ? results.map((r) => r.emotion) : results[0].emotion;
  }

  private async run(input: ModelInput, options: ClassifyOptions): Promise<{ results: Classification<C>[]; batch: boolean }> {
    const { tta, batchSize } = this.check(options);
    await ensureBackend();
    const { size, outputs: k } = this.core;
    const { pixels, count, batch } = await toGrayImages(input, { size, tensorRange: options.tensorRange });
    if (count === 0) return { results: [], batch };
    const x = grayToTensor(pixels, size);
    let raw: Float32Array;
    try {
      const y = this.forward(x, tta, batchSize);
      try { raw = (await y.data()) as Float32Array; } finally { y.dispose(); }
    } finally {
      x.dispose();
    }
    const probs = applyPrior(toProbabilities(raw, k), k, this.factors);
    const classes = this.classes;
    const results: Classification<C>[] = [];
    for (let i = 0; i < count; i++) {
      const scores = {} as Record<C, number>;
      let best = 0;
      for (let j = 0; j < k; j++) {
        scores[classes[j]] = probs[i * k + j];
        if (probs[i * k + j] > probs[i * k + best]) best = j;
      }
      const result: Classification<C> = { emotion: classes[best], confidence: probs[i * k + best], scores };
      if (pixelStd(pixels, size * size, i) < LOW_CONTRAST_STD) result.lowContrast = true;
      results.push(result);
    }
    return { results, batch };
  }

  /**
   * Frees the forward pass and, when the classifier loaded the model itself, the model. A model
   * given as `model` (or to {@link fromModel}) stays usable. Later calls throw.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.isView) return; // shares a cached model's pass
    this.core.pass.dispose();
    if (this.core.owned) this.core.model.dispose();
  }
}

/** Shorthand for {@link EmotionClassifier.load}. */
export function loadEmotionClassifier<C extends string = Emotion>(options: EmotionClassifierOptions<C> = {}): Promise<EmotionClassifier<C>> {
  return EmotionClassifier.load(options);
}

/**
 * `n × k` class probabilities of `model` for raw gray pixels (`n × size × size` bytes; `size` must
 * be the model's input side), computed as prediction computes them (the folded, compiled forward
 * pass of an {@link EmotionClassifier}), which is freed afterwards. For one-off scoring of a model
 * in memory (checks, releases, scripts); hold an `EmotionClassifier` to score many times.
 */
export function modelProbabilities(model: tfl.LayersModel, pixels: Uint8Array, size: number, batchSize = 256, tta: TtaMode = false): Float32Array {
  const classifier = EmotionClassifier.fromModel<string>(model);
  try {
    if (classifier.inputSize !== size) throw new RangeError(`the model takes ${classifier.inputSize}×${classifier.inputSize} images, got ${size}×${size}`);
    return classifier.probabilities(pixels, { batchSize, tta });
  } finally {
    classifier.dispose();
  }
}
