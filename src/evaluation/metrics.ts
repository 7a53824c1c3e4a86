/**
 * Classification metrics from predictions: accuracy, macro-F1, per-class precision/recall/F1 and
 * the confusion matrix. Pure functions over label arrays, backend-free.
 *
 * @packageDocumentation
 */

/** Precision, recall, F1 and support of one class. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

/** The result of {@link evaluate}. */
export interface EvaluationResult<C extends string = string> {
  /** Fraction of correct predictions. */
  accuracy: number;
  /** Unweighted mean of the per-class F1 scores. */
  macroF1: number;
  /** Number of images evaluated. */
  count: number;
  /** Metrics per class, keyed by class name. */
  perClass: Record<C, ClassMetrics>;
  /** `confusion[true][predicted]` counts, rows and columns in class order. */
  confusion: number[][];
}

/** Confusion matrix `[true][predicted]` of `k` classes. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, k: number): number[][] {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} labels but ${predicted.length} predictions`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][predicted[i]]++;
  return m;
}

/** All metrics from a confusion matrix and the class names. */
export function metricsFromConfusion<C extends string>(confusion: number[][], classes: readonly C[]): EvaluationResult<C> {
  const k = classes.length;
  let correct = 0, count = 0;
  const perClass = {} as Record<C, ClassMetrics>;
  let f1Sum = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let support = 0, predicted = 0;
    for (let j = 0; j < k; j++) { support += confusion[c][j]; predicted += confusion[j][c]; }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[classes[c]] = { precision, recall, f1, support };
    f1Sum += f1;
    correct += tp;
    count += support;
  }
  return { accuracy: count > 0 ? correct / count : 0, macroF1: f1Sum / k, count, perClass, confusion };
}

/** Index of the largest score of each row of a `[n, k]` score array. */
export function argmaxRows(scores: ArrayLike<number>, k: number): Uint8Array {
  const n = scores.length / k;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (scores[i * k + j] > scores[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}
