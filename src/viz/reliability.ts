/**
 * Reliability diagram (SVG): accuracy against confidence per bin, for one or more calibrations
 * (e.g. before and after temperature scaling), with the diagonal of perfect calibration.
 *
 * @packageDocumentation
 */
import type { Calibration } from '../evaluation/calibration.js';
import { attrs, linearScale, num, svgDocument, textEl } from './svg.js';

/** One curve of {@link reliabilityDiagramSvg}. */
export interface ReliabilitySeries {
  /** Legend label, e.g. `"before (ECE 8.1%)"`. */
  label: string;
  calibration: Calibration;
  /** Stroke colour. Default: a palette colour. */
  color?: string;
}

/** Options of {@link reliabilityDiagramSvg}. */
export interface ReliabilityDiagramSvgOptions {
  title?: string;
  /** Plot width in pixels (without margins). Default 360. */
  size?: number;
}

const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd'];

/**
 * Draws a reliability diagram: for each series, a point per non-empty bin at (mean confidence,
 * accuracy), joined by a line, with the bin's share of predictions as a bar histogram below.
 */
export function reliabilityDiagramSvg(series: readonly ReliabilitySeries[], options: ReliabilityDiagramSvgOptions = {}): string {
  if (series.length === 0) throw new RangeError('reliabilityDiagramSvg: no series');
  const size = options.size ?? 360;
  if (!(size >= 100)) throw new RangeError(`reliabilityDiagramSvg: size must be ≥ 100, got ${size}`);
  const left = 56, top = options.title ? 36 : 16, histH = 70, gap = 28, right = 16;
  const legendH = 18 * series.length + 8;
  const width = left + size + right;
  const height = top + size + gap + histH + 40 + legendH;
  const x = linearScale([0, 1], [left, left + size]);
  const y = linearScale([0, 1], [top + size, top]);
  const parts: string[] = [];
  if (options.title) parts.push(textEl(width / 2, 22, options.title, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  // axes and grid
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    parts.push(`<line${attrs({ x1: x(v), x2: x(v), y1: top, y2: top + size, stroke: '#eeeeee' })}/>`);
    parts.push(`<line${attrs({ x1: left, x2: left + size, y1: y(v), y2: y(v), stroke: '#eeeeee' })}/>`);
    parts.push(textEl(x(v), top + size + 14, v.toFixed(1), { 'text-anchor': 'middle', 'font-size': 10 }));
    parts.push(textEl(left - 6, y(v) + 3, v.toFixed(1), { 'text-anchor': 'end', 'font-size': 10 }));
  }
  parts.push(`<rect${attrs({ x: left, y: top, width: size, height: size, fill: 'none', stroke: '#333333' })}/>`);
  parts.push(`<line${attrs({ x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: '#888888', 'stroke-dasharray': '4 3' })}/>`);
  parts.push(textEl(left + size / 2, top + size + 28, 'confidence (top-1 probability)', { 'text-anchor': 'middle' }));
  parts.push(textEl(16, top + size / 2, 'accuracy', { 'text-anchor': 'middle', transform: `rotate(-90 16 ${num(top + size / 2)})` }));
  // curves
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.calibration.bins.filter((b) => b.count > 0).map((b) => `${num(x(b.confidence))},${num(y(b.accuracy))}`);
    parts.push(`<polyline${attrs({ points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 2 })}/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle${attrs({ cx, cy, r: 3, fill: color })}/>`);
    }
  });
  // histogram of confidences (share of predictions per bin)
  const hTop = top + size + gap + 10;
  const maxShare = Math.max(...series.flatMap((s) => {
    const n = s.calibration.bins.reduce((a, b) => a + b.count, 0);
    return s.calibration.bins.map((b) => b.count / n);
  }));
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const n = s.calibration.bins.reduce((a, b) => a + b.count, 0);
    const w = (x(1) - x(0)) / s.calibration.bins.length / series.length;
    s.calibration.bins.forEach((b) => {
      const h = maxShare > 0 ? (b.count / n / maxShare) * histH : 0;
      parts.push(`<rect${attrs({ x: x(b.lower) + i * w, y: hTop + histH - h, width: Math.max(0.5, w - 0.5), height: h, fill: color, 'fill-opacity': 0.6 })}/>`);
    });
  });
  parts.push(`<line${attrs({ x1: left, x2: left + size, y1: hTop + histH, y2: hTop + histH, stroke: '#333333' })}/>`);
  parts.push(textEl(left + size / 2, hTop + histH + 16, 'share of predictions per confidence bin', { 'text-anchor': 'middle', 'font-size': 10 }));
  // legend
  const legendTop = hTop + histH + 34;
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const ly = legendTop + i * 18;
    parts.push(`<line${attrs({ x1: left, x2: left + 22, y1: ly, y2: ly, stroke: color, 'stroke-width': 2 })}/>`);
    parts.push(textEl(left + 28, ly + 4, s.label));
  });
  return svgDocument(width, height, parts.join(''), options.title);
}
