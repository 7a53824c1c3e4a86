/**
 * Human-readable formatting for the CLI: predictions, evaluation tables, training progress.
 *
 * @packageDocumentation
 */
import type { EvaluationResult } from '../evaluation/metrics.js';
import type { BatchProgress, EpochLog } from '../training/train.js';

/** `0.8734` → `"87.3%"`. */
export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

export { formatDuration } from '../util/format.js';
import { formatDuration } from '../util/format.js';

/**
 * Lays out rows as aligned columns (two spaces apart). The first column is left-aligned, the
 * others right-aligned.
 */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
}

/** One prediction as a readable line: `face.png: Happy 87.3% (Neutral 6.1%, Sad 2.9%)`. */
export function formatPrediction(file: string, p: { emotion: string; confidence: number; scores: Record<string, number> }): string {
  const others = Object.entries(p.scores)
    .filter(([e]) => e !== p.emotion)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([e, s]) => `${e} ${pct(s)}`);
  return `${file}: ${p.emotion} ${pct(p.confidence)}${others.length ? ` (${others.join(', ')})` : ''}`;
}

/** Truncates a class name for narrow confusion-matrix columns. */
function short(name: string): string {
  return name.length > 8 ? name.slice(0, 8) : name;
}

/** An evaluation as readable lines: summary, per-class table, confusion matrix (rows = true class). */
export function formatEvaluation(r: EvaluationResult, title?: string): string[] {
  const classes = Object.keys(r.perClass);
  const lines: string[] = [];
  if (title) lines.push(title, '');
  lines.push(`images     ${r.count}`, `accuracy   ${pct(r.accuracy, 2)}`, `macro-F1   ${r.macroF1.toFixed(4)}`, '');
  lines.push(...table([
    ['class', 'precision', 'recall', 'F1', 'support'],
    ...classes.map((c) => {
      const m = r.perClass[c];
      return [c, m.precision.toFixed(3), m.recall.toFixed(3), m.f1.toFixed(3), String(m.support)];
    }),
  ]));
  lines.push('', 'confusion matrix (rows: true class, columns: predicted)');
  lines.push(...table([
    ['', ...classes.map(short)],
    ...classes.map((c, i) => [c, ...r.confusion[i].map(String)]),
  ]));
  return lines;
}

/** The live progress line of a training batch: ETA of the epoch, and of the whole run when more epochs follow. */
export function progressLine(p: BatchProgress, epochs: number): string {
  let eta = formatDuration(p.etaSeconds);
  const left = epochs - p.epoch;
  if (left > 0 && p.batch < p.batches) {
    const perEpoch = (p.etaSeconds / (p.batches - p.batch)) * p.batches;
    eta += ` (run ${formatDuration(p.etaSeconds + left * perEpoch)})`;
  }
  return `epoch ${p.epoch}/${epochs}  batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  acc ${pct(p.accuracy)}  `
    + `${Math.round(p.imagesPerSecond)} img/s  ETA ${eta}`;
}

/** The summary line of a finished epoch. */
export function epochLine(log: EpochLog, epochs: number, best: boolean): string {
  const val = log.valAccuracy !== undefined
    ? `  val_loss ${log.valLoss?.toFixed(4) ?? '?'}  val_acc ${pct(log.valAccuracy)}  val_F1 ${log.valMacroF1?.toFixed(3) ?? '?'}${best ? '  (best)' : ''}`
    : '';
  return `epoch ${log.epoch}/${epochs}  loss ${log.loss.toFixed(4)}  acc ${pct(log.accuracy)}${val}  `
    + `lr ${log.learningRate.toExponential(2)}  ${formatDuration(log.seconds)}  ${Math.round(log.imagesPerSecond)} img/s`;
}
