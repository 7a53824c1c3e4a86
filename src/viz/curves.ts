/**
 * Training curves (loss and accuracy per epoch, train vs validation) as a standalone SVG string.
 *
 * @packageDocumentation
 */
import type { EpochLog } from '../training/checkpoint.js';
import { attrs, checkPositive, formatTick, linearScale, niceDomain, niceStep, niceTicks, num, svgDocument, textEl, textWidth } from './svg.js';

/** Options of {@link trainingCurvesSvg}. */
export interface TrainingCurvesSvgOptions {
  /** Total width in pixels (two panels side by side). Default 900. */
  width?: number;
  /** Total height in pixels. Default 340. */
  height?: number;
  /** Title above the panels. Default: none. */
  title?: string;
  /** Mark the epoch with the best validation accuracy with a dotted line. Default true. */
  markBest?: boolean;
}

/** The history fields a plot reads; the other {@link EpochLog} fields are optional here. */
export type CurvePoint = Pick<EpochLog, 'epoch'> & Partial<Pick<EpochLog, 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy'>>;

const TRAIN_COLOR = '#1f77b4';
const VAL_COLOR = '#ff7f0e';
const AXIS_COLOR = '#444444';
const GRID_COLOR = '#e5e5e5';

interface Series {
  name: 'train' | 'validation';
  color: string;
  dash?: string;
  points: [number, number][];
}

function finite(v: number | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function seriesOf(history: readonly CurvePoint[], key: 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy'): [number, number][] {
  const pts: [number, number][] = [];
  for (const h of history) if (finite(h[key])) pts.push([h.epoch, h[key] as number]);
  return pts;
}

/** The smallest of 1, 2, 5 × 10ⁿ and 25 × 10ⁿ (all integers) that is at least `raw` (and at least 1). */
function integerStep(raw: number): number {
  if (!(raw > 1)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const step = m * p;
    if (step >= raw - 1e-9 && Number.isInteger(step)) return step;
  }
  return 10 * p;
}

/** One panel: frame, grid, ticks, axis labels, series. */
function panel(
  x0: number, y0: number, w: number, h: number, title: string, series: Series[],
  xDomain: [number, number], percent: boolean, bestEpoch: number | undefined, id: string,
): string {
  const left = 58, right = 14, top = 28, bottom = 44;
  const px0 = x0 + left, px1 = x0 + w - right, py0 = y0 + top, py1 = y0 + h - bottom;
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (percent) { lo = Math.max(0, lo); hi = Math.min(1, Math.max(hi, lo)); }
  let [d0, d1] = niceDomain(lo, hi, 5);
  if (percent) { d0 = Math.max(0, d0); d1 = Math.min(1, d1); if (d1 <= d0) [d0, d1] = [Math.max(0, d0 - 0.05), Math.min(1, d1 + 0.05)]; }
  if (!percent && lo >= 0) d0 = Math.max(0, d0);
  const sx = linearScale(xDomain, [px0, px1]);
  const sy = linearScale([d0, d1], [py1, py0]);
  const out: string[] = [`<g class="panel" data-panel="${id}">`];
  out.push(textEl(px0, y0 + 16, title, { 'font-size': 14, 'font-weight': 'bold' }));

  // Y grid and ticks.
  const yTicks = niceTicks(d0, d1, 5);
  const yStep = yTicks.length > 1 ? yTicks[1] - yTicks[0] : niceStep(Math.max(1e-9, d1 - d0));
  for (const v of yTicks) {
    const y = sy(v);
    out.push(`<line${attrs({ x1: px0, x2: px1, y1: y, y2: y, stroke: GRID_COLOR })}/>`);
    out.push(`<line${attrs({ x1: px0 - 4, x2: px0, y1: y, y2: y, stroke: AXIS_COLOR })}/>`);
    const label = percent ? `${formatTick(v * 100, yStep * 100)}%` : formatTick(v, yStep);
    out.push(textEl(px0 - 7, y + 4, label, { 'text-anchor': 'end', 'font-size': 11, class: 'tick' }));
  }
  // X ticks: whole epochs only, at an integer step (1, 2, 5, 10, 20, 25, 50, …), labelled as integers
  const span = xDomain[1] - xDomain[0];
  const maxTicks = Math.max(2, Math.min(10, Math.floor((px1 - px0) / 40)));
  const xStep = integerStep(span / maxTicks);
  for (let v = Math.ceil(xDomain[0] / xStep - 1e-9) * xStep; v <= xDomain[1] + 1e-9; v += xStep) {
    if (v < Math.ceil(xDomain[0] - 1e-9)) continue;
    const x = sx(v);
    out.push(`<line${attrs({ x1: x, x2: x, y1: py1, y2: py1 + 4, stroke: AXIS_COLOR })}/>`);
    out.push(textEl(x, py1 + 17, String(Math.round(v)), { 'text-anchor': 'middle', 'font-size': 11, class: 'tick' }));
  }
  out.push(`<rect${attrs({ x: px0, y: py0, width: px1 - px0, height: py1 - py0, fill: 'none', stroke: AXIS_COLOR })}/>`);
  out.push(textEl((px0 + px1) / 2, py1 + 36, 'Epoch', { 'text-anchor': 'middle', 'font-size': 12 }));
  out.push(textEl(x0 + 14, (py0 + py1) / 2, title, {
    'text-anchor': 'middle', 'font-size': 12, transform: `rotate(-90 ${num(x0 + 14)} ${num((py0 + py1) / 2)})`,
  }));

  if (bestEpoch !== undefined) {
    const x = sx(bestEpoch);
    out.push(`<line${attrs({ class: 'best', x1: x, x2: x, y1: py0, y2: py1, stroke: '#2ca02c', 'stroke-dasharray': '2 3' })}/>`);
    // the label sits above the frame (inside it, it crossed the rising accuracy curves), clear of the panel title
    const label = `best: ${bestEpoch}`;
    const lw = textWidth(label, 11);
    const titleEnd = px0 + textWidth(title, 14) + 10;
    let lx = Math.min(px1 - lw, Math.max(titleEnd, x - lw / 2));
    if (lx < titleEnd) lx = titleEnd;
    out.push(textEl(lx, py0 - 5, label, { class: 'best-label', 'font-size': 11, fill: '#2ca02c', 'text-anchor': 'start' }));
  }

  const markers = series.every((s) => s.points.length <= 60);
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([e, v]) => `${num(sx(e))},${num(sy(v))}`).join(' ');
    out.push(`<polyline${attrs({
      class: 'series', 'data-series': `${id}-${s.name}`, points: pts, fill: 'none', stroke: s.color, 'stroke-width': 2,
      'stroke-dasharray': s.dash, 'stroke-linejoin': 'round',
    })}/>`);
    if (markers) {
      out.push(`<g fill="${s.color}">`);
      for (const [e, v] of s.points) out.push(`<circle${attrs({ cx: sx(e), cy: sy(v), r: 2.5 })}/>`);
      out.push('</g>');
    }
  }
  out.push('</g>');
  return out.join('');
}

/**
 * Draws training curves: a loss panel and an accuracy panel, each with the training and (where
 * the history has it) validation values per epoch, whole-epoch x ticks, a legend, and a dotted
 * line at the epoch with the best validation accuracy. Epochs whose value is missing or NaN are
 * skipped; a history without validation draws only the training curves; a single epoch draws
 * points.
 *
 * Each curve is a `<polyline class="series" data-series="loss-train">` (`loss-validation`,
 * `accuracy-train`, `accuracy-validation`).
 *
 * @throws RangeError when the history is empty or an entry has no finite `epoch`.
 *
 * @example
 * ```ts
 * const result = await train(model, data, { epochs: 30 });
 * writeFileSync('curves.svg', trainingCurvesSvg(result.history, { title: 'CNN-LSTM on FER-2013' }));
 * ```
 */
export function trainingCurvesSvg(history: readonly CurvePoint[], options: TrainingCurvesSvgOptions = {}): string {
  if (!Array.isArray(history) || history.length === 0) throw new RangeError('trainingCurvesSvg: the history is empty');
  history.forEach((h, i) => {
    if (!h || !finite(h.epoch)) throw new RangeError(`trainingCurvesSvg: history[${i}] has no finite "epoch" (got ${JSON.stringify(h)})`);
  });
  checkPositive('trainingCurvesSvg: width', options.width, 200);
  checkPositive('trainingCurvesSvg: height', options.height, 150);
  const sorted = [...history].sort((a, b) => a.epoch - b.epoch);
  const width = options.width ?? 900;
  const height = options.height ?? 340;
  const headerH = options.title ? 50 : 30;

  const first = sorted[0].epoch, last = sorted[sorted.length - 1].epoch;
  const xDomain: [number, number] = first === last ? [first - 0.5, last + 0.5] : [first, last];

  const mk = (name: Series['name'], points: [number, number][]): Series => (
    name === 'train' ? { name, color: TRAIN_COLOR, points } : { name, color: VAL_COLOR, dash: '6 4', points }
  );
  const lossSeries = [mk('train', seriesOf(sorted, 'loss')), mk('validation', seriesOf(sorted, 'valLoss'))];
  const accSeries = [mk('train', seriesOf(sorted, 'accuracy')), mk('validation', seriesOf(sorted, 'valAccuracy'))];
  const hasVal = lossSeries[1].points.length > 0 || accSeries[1].points.length > 0;

  let bestEpoch: number | undefined;
  if ((options.markBest ?? true) && accSeries[1].points.length > 1) {
    let best = accSeries[1].points[0];
    for (const p of accSeries[1].points) if (p[1] > best[1]) best = p;
    bestEpoch = best[0];
  }

  const parts: string[] = [];
  if (options.title) parts.push(textEl(width / 2, 24, options.title, { 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' }));

  // Legend, top right.
  const entries: Series[] = hasVal ? [lossSeries[0], lossSeries[1]] : [lossSeries[0]];
  let lx = width - 16;
  const legend: string[] = [];
  for (const s of [...entries].reverse()) {
    const label = s.name;
    lx -= textWidth(label, 12);
    legend.push(textEl(lx, headerH - 10, label, { 'font-size': 12 }));
    lx -= 30;
    legend.push(`<line${attrs({ x1: lx, x2: lx + 24, y1: headerH - 14, y2: headerH - 14, stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash })}/>`);
    lx -= 16;
  }
  parts.push(`<g class="legend">${legend.join('')}</g>`);

  const panelW = (width - 10) / 2;
  const panelH = height - headerH;
  parts.push(panel(0, headerH, panelW, panelH, 'Loss', lossSeries, xDomain, false, undefined, 'loss'));
  parts.push(panel(panelW + 10, headerH, panelW, panelH, 'Accuracy', accSeries, xDomain, true, bestEpoch, 'accuracy'));
  return svgDocument(width, height, parts.join(''), options.title ?? 'Training curves');
}

