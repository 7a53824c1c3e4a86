/**
 * `EmotionSmoother`: steadies per-frame emotion scores over time (video, webcam) so that the
 * label does not flicker from frame to frame.
 *
 * @packageDocumentation
 */
import type { Emotion } from '../emotions.js';
import type { Classification } from '../inference/predict.js';

/** How {@link EmotionSmoother} combines frames. */
export type SmoothingMethod =
  /** Exponential moving average: `s = alpha · new + (1 − alpha) · s`. */
  | 'ema'
  /** Plain mean of the last `window` frames. */
  | 'window';

/** Options of {@link EmotionSmoother} (and of the streaming helpers). */
export interface SmoothingOptions {
  /** `'ema'` (default) or `'window'`. */
  method?: SmoothingMethod;
  /** EMA weight of the newest frame, in (0, 1]; 1 = no smoothing. Default 0.3. Used by `'ema'`. */
  alpha?: number;
  /** Frames averaged by `'window'` (an integer ≥ 1). Default 8. */
  window?: number;
  /**
   * Hysteresis: a new label replaces the current one only when its smoothed score beats the
   * current label's by more than this margin, in [0, 1). Default 0.05; 0 = plain argmax.
   */
  hysteresis?: number;
}

/** {@link SmoothingOptions} with every default filled in. */
export type ResolvedSmoothingOptions = Required<SmoothingOptions>;

/** The defaults of {@link SmoothingOptions}. */
export const DEFAULT_SMOOTHING: Readonly<ResolvedSmoothingOptions> = Object.freeze({
  method: 'ema',
  alpha: 0.3,
  window: 8,
  hysteresis: 0.05,
});

/** The option names of {@link SmoothingOptions}, to split them from other options. */
export const SMOOTHING_KEYS: readonly (keyof SmoothingOptions)[] = Object.freeze(['method', 'alpha', 'window', 'hysteresis']);

/**
 * Fills in the defaults and checks every option.
 * @throws RangeError naming the bad option and value.
 */
export function resolveSmoothingOptions(options: SmoothingOptions = {}): ResolvedSmoothingOptions {
  const o = {
    method: options.method ?? DEFAULT_SMOOTHING.method,
    alpha: options.alpha ?? DEFAULT_SMOOTHING.alpha,
    window: options.window ?? DEFAULT_SMOOTHING.window,
    hysteresis: options.hysteresis ?? DEFAULT_SMOOTHING.hysteresis,
  };
  if (o.method !== 'ema' && o.method !== 'window') throw new RangeError(`smoothing method must be 'ema' or 'window', got ${JSON.stringify(o.method)}`);
  if (typeof o.alpha !== 'number' || !(o.alpha > 0 && o.alpha <= 1)) throw new RangeError(`smoothing alpha must be a number in (0, 1], got ${String(o.alpha)}`);
  if (!Number.isInteger(o.window) || o.window < 1) throw new RangeError(`smoothing window must be an integer ≥ 1 (frames), got ${String(o.window)}`);
  if (typeof o.hysteresis !== 'number' || !(o.hysteresis >= 0 && o.hysteresis < 1)) {
    throw new RangeError(`smoothing hysteresis must be a number in [0, 1), got ${String(o.hysteresis)}`);
  }
  return o;
}

/**
 * Smooths a stream of per-frame class scores (as {@link classifyEmotion} returns them) and
 * picks a steady label: scores are averaged over time (EMA or a sliding window), renormalised to
 * sum to 1, and the label changes only when another class beats the current one by more than
 * `hysteresis`. The reported `confidence` is the smoothed score of the reported label (which,
 * inside the hysteresis margin, may be a little below the top score).
 *
 * The class names are taken from the first frame; later frames must have the same ones (any
 * key order). Works for fine-tuned class lists too (`C` is any string type).
 *
 * @example
 * ```ts
 * const smoother = new EmotionSmoother({ method: 'ema', alpha: 0.3 });
 * for (const frame of frames) {
 *   const { scores } = await classifyEmotion(frame);
 *   const { emotion, confidence } = smoother.update(scores);
 * }
 * ```
 */
export class EmotionSmoother<C extends string = Emotion> {
  /** The options in use, defaults filled in. */
  readonly options: Readonly<ResolvedSmoothingOptions>;
  private classes: C[] | undefined;
  private ema: Float64Array | undefined;
  private recent: Float64Array[] = [];
  private current = -1;
  private seen = 0;

  /** @throws RangeError for an unknown method or an out-of-range `alpha`, `window` or `hysteresis`. */
  constructor(options: SmoothingOptions = {}) {
    this.options = Object.freeze(resolveSmoothingOptions(options));
  }

  /** Frames seen since construction or the last {@link EmotionSmoother.reset}. */
  get frames(): number {
    return this.seen;
  }

  /**
   * Adds one frame's scores and returns the smoothed classification.
   * @throws RangeError when the scores are empty, not finite, negative, all zero, or name other
   *   classes than the first frame's.
   */
  update(scores: Readonly<Record<C, number>>): Classification<C> {
    const x = this.vector(scores);
    const { method, alpha, window } = this.options;
    let smoothed: Float64Array;
    if (method === 'ema') {
      if (!this.ema) this.ema = x;
      else for (let j = 0; j < x.length; j++) this.ema[j] = alpha * x[j] + (1 - alpha) * this.ema[j];
      smoothed = this.ema;
    } else {
      this.recent.push(x);
      if (this.recent.length > window) this.recent.shift();
      smoothed = new Float64Array(x.length);
      for (const r of this.recent) for (let j = 0; j < x.length; j++) smoothed[j] += r[j] / this.recent.length;
    }
    this.seen++;
    return this.classify(smoothed);
  }

  /** Forgets every frame (and the current label), e.g. when the face or the video changes. */
  reset(): void {
    this.classes = undefined;
    this.ema = undefined;
    this.recent = [];
    this.current = -1;
    this.seen = 0;
  }

  /** Checks one frame's scores and returns them normalised to sum to 1, in class order. */
  private vector(scores: Readonly<Record<C, number>>): Float64Array {
    if (typeof scores !== 'object' || scores === null) throw new RangeError(`scores must be an object of class → score, got ${scores === null ? 'null' : typeof scores}`);
    const keys = Object.keys(scores) as C[];
    if (keys.length === 0) throw new RangeError('scores are empty: expected one score per class');
    if (!this.classes) {
      this.classes = keys;
    } else if (keys.length !== this.classes.length || keys.some((k) => !this.classes!.includes(k))) {
      throw new RangeError(`frame ${this.seen}: scores name the classes [${keys.join(', ')}] but earlier frames had [${this.classes.join(', ')}]; call reset() to change classes`);
    }
    const x = new Float64Array(this.classes.length);
    let sum = 0;
    this.classes.forEach((c, j) => {
      const v = scores[c];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`frame ${this.seen}: score of ${c} is ${String(v)}: expected a finite number ≥ 0`);
      x[j] = v;
      sum += v;
    });
    if (sum <= 0) throw new RangeError(`frame ${this.seen}: every score is 0`);
    for (let j = 0; j < x.length; j++) x[j] /= sum;
    return x;
  }

  /** The label (with hysteresis), its confidence and the scores, from smoothed values. */
  private classify(smoothed: Float64Array): Classification<C> {
    const classes = this.classes!;
    let sum = 0;
    for (const v of smoothed) sum += v;
    let best = 0;
    for (let j = 1; j < smoothed.length; j++) if (smoothed[j] > smoothed[best]) best = j;
    if (this.current < 0 || smoothed[best] / sum > smoothed[this.current] / sum + this.options.hysteresis) this.current = best;
    const scores = {} as Record<C, number>;
    classes.forEach((c, j) => { scores[c] = smoothed[j] / sum; });
    return { emotion: classes[this.current], confidence: scores[classes[this.current]], scores };
  }
}
