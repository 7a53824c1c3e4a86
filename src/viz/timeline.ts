/**
 * Emotion timelines of a video as a standalone SVG string: one panel per face, each emotion's
 * (smoothed) score over time as a line.
 *
 * @packageDocumentation
 */
import { EMOTIONS } from '../emotions.js';
import { attrs, checkPositive, escapeXml, formatTick, linearScale, niceStep, niceTicks, num, svgDocument, textEl, textWidth } from './svg.js';

import type { TimelineSeries } from '../video/timeline.js';

export type { TimelineSeries };

/** Options of {@link timelineSvg}. */
export interface TimelineSvgOptions {
  /** Width in pixels. Default 900. */
  width?: number;
  /** Height of each face's panel in pixels. Default 220. */
  panelHeight?: number;
  /** Title above the panels. */
  title?: string;
  /** The end of the time axis (seconds), e.g. the video's duration. Default: the last time. */
  duration?: number;
  /**
   * A gap between two points longer than this (seconds) breaks the line (the face was out of
   * view). Default: 2.5 × the median step between points.
   */
  maxGap?: number;
  /** Class names (lines, in legend order). Default: the 7 FER-2013 emotions. */
  classes?: readonly string[];
}

/** A colour per emotion (Angry red, Disgust green, Fear purple, Happy orange, Sad blue, Surprise cyan, Neutral grey). */
export const EMOTION_COLORS: Readonly<Record<string, string>> = Object.freeze({
  Angry: '#d62728', Disgust: '#2ca02c', Fear: '#9467bd', Happy: '#ff7f0e', Sad: '#1f77b4', Surprise: '#17becf', Neutral: '#7f7f7f',
});
const FALLBACK = ['#8c564b', '#e377c2', '#bcbd22', '#393b79', '#637939'];
const AXIS_COLOR = '#444444';
const GRID_COLOR = '#e5e5e5';

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Draws emotion timelines: one panel per series (face), stacked, with each class's score (0–1)
 * over time as a `<polyline class="series" data-series="<panel>-<class>">` (split where the
 * face was out of view for longer than `maxGap`), a shared time axis in seconds and a legend.
 *
 * @example
 * ```ts
 * const collector = new TimelineCollector();
 * for await (const frame of analyzeVideo('clip.mp4')) collector.add(frame);
 * writeFileSync('timeline.svg', timelineSvg(collector.result(), { title: 'clip.mp4' }));
 * ```
 * @throws RangeError when there is no series, times and scores differ in length, or a size option is out of range.
 */
export function timelineSvg(series: readonly TimelineSeries[], options: TimelineSvgOptions = {}): string {
  if (!Array.isArray(series) || series.length === 0) throw new RangeError('timelineSvg: no series (no face was seen)');
  series.forEach((s, i) => {
    if (s.times.length !== s.scores.length) throw new RangeError(`timelineSvg: series ${i} has ${s.times.length} times but ${s.scores.length} score sets`);
  });
  checkPositive('timelineSvg: width', options.width, 300);
  checkPositive('timelineSvg: panelHeight', options.panelHeight, 100);
  const width = options.width ?? 900;
  const panelHeight = options.panelHeight ?? 220;
  const classes = options.classes ?? EMOTIONS;
  const color = (c: string, i: number) => EMOTION_COLORS[c] ?? FALLBACK[i % FALLBACK.length];
  const allTimes = series.flatMap((s) => s.times);
  const t0 = Math.min(0, ...allTimes);
  const t1 = Math.max(options.duration ?? 0, ...allTimes, t0 + 1e-3);
  const steps = series.flatMap((s) => s.times.slice(1).map((t: number, i: number) => t - s.times[i]));
  const maxGap = options.maxGap ?? 2.5 * (median(steps) || 1);

  const top = options.title ? 58 : 36;
  const left = 52, right = 16, bottom = 42;
  const height = top + series.length * panelHeight + bottom;
  const px0 = left, px1 = width - right;
  const sx = linearScale([t0, t1], [px0, px1]);
  const out: string[] = [];
  if (options.title) out.push(textEl(px0, 22, options.title, { 'font-size': 15, 'font-weight': 'bold' }));
  // legend
  let lx = px0;
  const ly = top - 14;
  classes.forEach((c, i) => {
    out.push(`<line${attrs({ x1: lx, x2: lx + 16, y1: ly - 4, y2: ly - 4, stroke: color(c, i), 'stroke-width': 3 })}/>`);
    out.push(textEl(lx + 20, ly, c, { 'font-size': 11 }));
    lx += 30 + textWidth(c, 11);
  });
  const xTicks = niceTicks(t0, t1, Math.max(2, Math.min(10, Math.floor((px1 - px0) / 70))));
  const xStep = xTicks.length > 1 ? xTicks[1] - xTicks[0] : niceStep(t1 - t0);
  series.forEach((s, k) => {
    const y0 = top + k * panelHeight;
    const py0 = y0 + 18, py1 = y0 + panelHeight - 8;
    const sy = linearScale([0, 1], [py1, py0]);
    const id = `p${k + 1}`;
    out.push(`<g class="panel" data-panel="${id}" data-label="${escapeXml(s.label)}">`);
    out.push(textEl(px0 + 4, y0 + 13, s.label, { 'font-size': 12, 'font-weight': 'bold' }));
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      const y = sy(v);
      out.push(`<line${attrs({ x1: px0, x2: px1, y1: y, y2: y, stroke: GRID_COLOR })}/>`);
      if (v === 0 || v === 0.5 || v === 1) out.push(textEl(px0 - 6, y + 4, formatTick(v, 0.5), { 'text-anchor': 'end', 'font-size': 10, class: 'tick' }));
    }
    for (const v of xTicks) out.push(`<line${attrs({ x1: sx(v), x2: sx(v), y1: py0, y2: py1, stroke: GRID_COLOR })}/>`);
    out.push(`<rect${attrs({ x: px0, y: py0, width: px1 - px0, height: py1 - py0, fill: 'none', stroke: AXIS_COLOR })}/>`);
    classes.forEach((c, ci) => {
      // split into runs without long gaps
      const runs: string[][] = [];
      let run: string[] = [];
      s.times.forEach((t: number, i: number) => {
        if (i > 0 && t - s.times[i - 1] > maxGap) { runs.push(run); run = []; }
        const v = s.scores[i][c];
        run.push(`${num(sx(t))},${num(sy(Number.isFinite(v) ? v : 0))}`);
      });
      runs.push(run);
      for (const r of runs) {
        if (r.length === 0) continue;
        if (r.length === 1) {
          const [cx, cy] = r[0].split(',').map(Number);
          out.push(`<circle${attrs({ class: 'series', 'data-series': `${id}-${c}`, cx, cy, r: 2, fill: color(c, ci) })}/>`);
        } else {
          out.push(`<polyline${attrs({ class: 'series', 'data-series': `${id}-${c}`, points: r.join(' '), fill: 'none', stroke: color(c, ci), 'stroke-width': 1.8, 'stroke-linejoin': 'round' })}/>`);
        }
      }
    });
    out.push('</g>');
  });
  const axisY = top + series.length * panelHeight - 8;
  for (const v of xTicks) {
    out.push(`<line${attrs({ x1: sx(v), x2: sx(v), y1: axisY, y2: axisY + 4, stroke: AXIS_COLOR })}/>`);
    out.push(textEl(sx(v), axisY + 16, formatTick(v, xStep), { 'text-anchor': 'middle', 'font-size': 11, class: 'tick' }));
  }
  out.push(textEl((px0 + px1) / 2, axisY + 32, 'time (s)', { 'text-anchor': 'middle', 'font-size': 12 }));
  out.push(textEl(14, top + (series.length * panelHeight) / 2, 'smoothed score', {
    'text-anchor': 'middle', 'font-size': 12, transform: `rotate(-90 14 ${num(top + (series.length * panelHeight) / 2)})`,
  }));
  return svgDocument(width, height, out.join(''), options.title ?? 'Emotion timeline');
}
