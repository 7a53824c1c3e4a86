/**
 * Confidence calibration: temperature scaling (Guo et al., 2017) fitted on held-out predictions,
 * the expected calibration error, and the reliability curve behind it.
 *
 * @packageDocumentation
 */
import { tf, type tfl } from '../backends/tf.js';

/** One bin of a reliability curve: predictions whose confidence fell in `[lower, upper)`. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Predictions in the bin. */
  count: number;
  /** Mean top-1 confidence of the bin's predictions (NaN when empty). */
  confidence: number;
  /** Fraction of the bin's predictions that were right (NaN when empty). */
  accuracy: number;
}

/** Calibration of a set of predictions. */
export interface Calibration {
  /** Expected calibration error: Σ (count/n)·|accuracy − confidence| over the bins. */
  ece: number;
  /** Mean negative log-likelihood of the true classes. */
  nll: number;
  bins: ReliabilityBin[];
}

function checkShapes(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`calibration: k must be an integer ≥ 2, got ${k}`);
  if (probs.length !== labels.length * k) {
    throw new RangeError(`calibration: ${probs.length} probabilities for ${labels.length} labels × ${k} classes (expected ${labels.length * k})`);
  }
  if (labels.length === 0) throw new RangeError('calibration: no predictions');
  return labels.length;
}

/**
 * Rescales probability rows by a temperature: `p_j^(1/T) / Σ p_i^(1/T)`, which equals
 * `softmax(logits / T)` for softmax outputs. `T > 1` softens, `T < 1` sharpens; the top class never changes.
 */
export function applyTemperature(probs: ArrayLike<number>, k: number, temperature: number): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`temperature must be a positive number, got ${temperature}`);
  const logp = logOf(probs);
  const out = new Float32Array(probs.length);
  for (let o = 0; o < probs.length; o += k) {
    const lse = logSumExp(logp, o, k, temperature);
    for (let j = 0; j < k; j++) out[o + j] = Math.exp(logp[o + j] / temperature - lse);
  }
  return out;
}

/** Natural logs of probabilities (floored at 1e-30, so that a 0 stays finite). */
function logOf(probs: ArrayLike<number>): Float64Array {
  return Float64Array.from(probs as ArrayLike<number>, (p) => Math.log(Math.max(p, 1e-30)));
}

/** `log Σ_j exp(logp[o + j] / t)` over one row of `k`, computed stably: the normaliser of `softmax(logp / t)`. */
function logSumExp(logp: Float64Array, o: number, k: number, t: number): number {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logp[o + j] / t);
  let z = 0;
  for (let j = 0; j < k; j++) z += Math.exp(logp[o + j] / t - max);
  return max + Math.log(z);
}

/** The calibration of `n × k` probability rows against their labels, with `bins` equal-width confidence bins (default 15). */
export function calibration(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number, bins = 15): Calibration {
  const n = checkShapes(probs, labels, k);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`calibration: bins must be a positive integer, got ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const confSum = new Array<number>(bins).fill(0);
  const right = new Array<number>(bins).fill(0);
  let nll = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    const conf = probs[i * k + best];
    const b = Math.min(bins - 1, Math.floor(conf * bins));
    count[b]++;
    confSum[b] += conf;
    if (best === labels[i]) right[b]++;
    nll -= Math.log(Math.max(probs[i * k + labels[i]], 1e-12));
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const confidence = count[b] ? confSum[b] / count[b] : Number.NaN;
    const accuracy = count[b] ? right[b] / count[b] : Number.NaN;
    if (count[b]) ece += (count[b] / n) * Math.abs(accuracy - confidence);
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: count[b], confidence, accuracy });
  }
  return { ece, nll: nll / n, bins: out };
}

/**
 * The temperature that minimises the negative log-likelihood of the labels (golden-section
 * search over log T in [1/10, 10]). Fit it on held-out predictions, never on training images.
 */
export function fitTemperature(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const n = checkShapes(probs, labels, k);
  const logp = logOf(probs);
  const nll = (t: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s -= logp[i * k + labels[i]] / t - logSumExp(logp, i * k, k, t);
    return s / n;
  };
  let a = Math.log(0.1), b = Math.log(10);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = nll(Math.exp(c)), fd = nll(Math.exp(d));
  for (let it = 0; it < 60; it++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = nll(Math.exp(c)); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = nll(Math.exp(d)); }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Bakes a temperature into a model whose last layer is a softmax `Dense` (as `buildCnnLstm`'s):
 * its kernel and bias are divided by `temperature`, so the model outputs `softmax(logits / T)`
 * everywhere it runs (Node, browsers, workers), with the same top class.
 *
 * @throws RangeError when the last layer is not a Dense layer with a softmax.
 */
export function setTemperature(model: tfl.LayersModel, temperature: number): void {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`temperature must be a positive number, got ${temperature}`);
  const last = model.layers[model.layers.length - 1];
  const config = last.getConfig() as { activation?: string };
  if (last.getClassName() !== 'Dense' || config.activation !== 'softmax') {
    throw new RangeError(`setTemperature: the model's last layer ${last.name} is a ${last.getClassName()} (${String(config.activation)}), not a softmax Dense layer`);
  }
  const weights = last.getWeights();
  const scaled = weights.map((w) => tf.div(w, temperature));
  last.setWeights(scaled);
  scaled.forEach((w) => w.dispose());
}
