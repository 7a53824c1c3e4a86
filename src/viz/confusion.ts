/**
 * Confusion-matrix heat map as a standalone SVG string.
 *
 * @packageDocumentation
 */
import { attrs, checkPositive, colorScale, escapeXml, formatTick, niceStep, niceTicks, num, svgDocument, textColorOn, textEl, textWidth } from './svg.js';

/** Options of {@link confusionMatrixSvg}. */
export interface ConfusionMatrixSvgOptions {
  /** Show each row as percentages of its true class (recall on the diagonal). Default true. */
  normalize?: boolean;
  /** Title above the matrix. Default: none. */
  title?: string;
  /** Side of one cell in pixels. Default 64. */
  cellSize?: number;
  /** When normalised, also print the count under each percentage. Default true. */
  showCounts?: boolean;
  /** Draw the colour bar at the right. Default true. */
  colorBar?: boolean;
}

const LABEL_FONT = 12;
const AXIS_FONT = 13;

/** Checks the matrix against the class list; returns row sums. */
function validate(confusion: number[][], classes: readonly string[]): number[] {
  const k = classes.length;
  if (k === 0) throw new RangeError('confusionMatrixSvg: no classes');
  if (!Array.isArray(confusion) || confusion.length !== k) {
    throw new RangeError(`confusionMatrixSvg: expected a ${k}×${k} matrix for ${k} classes, got ${Array.isArray(confusion) ? confusion.length : typeof confusion} rows`);
  }
  return confusion.map((row, r) => {
    if (!Array.isArray(row) || row.length !== k) {
      throw new RangeError(`confusionMatrixSvg: row ${r} (${classes[r]}) has ${Array.isArray(row) ? row.length : typeof row} entries, expected ${k}`);
    }
    return row.reduce((s, v, c) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new RangeError(`confusionMatrixSvg: entry [${r}][${c}] (${classes[r]} → ${classes[c]}) is ${v}, expected a non-negative number`);
      }
      return s + v;
    }, 0);
  });
}

/**
 * Draws a confusion matrix (`confusion[true][predicted]`, as {@link "fer-cnn-lstm"!evaluate} returns it) as a
 * heat map: light → dark blue by value, the value printed in each cell (the row percentage when
 * normalised, optionally with the count), class names on both axes, "True" on the vertical axis
 * and "Predicted" on the horizontal one.
 *
 * Each cell is a `<rect class="cell">` carrying `data-true`, `data-predicted`, `data-count` and
 * `data-fraction` (share of its row), so the SVG can be inspected or styled.
 *
 * @throws RangeError when the matrix is not `k × k` for `k = classes.length` or holds a negative or
 *   non-finite entry, or `cellSize` is below 8.
 *
 * @example
 * ```ts
 * const result = await evaluate(model, data, { split: 'test' });
 * writeFileSync('confusion.svg', confusionMatrixSvg(result.confusion, data.classes, { title: 'PublicTest' }));
 * ```
 */
export function confusionMatrixSvg(confusion: number[][], classes: readonly string[], options: ConfusionMatrixSvgOptions = {}): string {
  const rowSums = validate(confusion, classes);
  checkPositive('confusionMatrixSvg: cellSize', options.cellSize, 8);
  const k = classes.length;
  const normalize = options.normalize ?? true;
  const showCounts = normalize && (options.showCounts ?? true);
  const cell = options.cellSize ?? 64;
  const colorBar = options.colorBar ?? true;
  const maxCount = Math.max(0, ...confusion.flat());

  // Layout.
  const maxLabel = Math.max(...classes.map((c) => textWidth(c, LABEL_FONT)));
  const rotateColumns = maxLabel > cell - 6;
  const colLabelH = rotateColumns ? maxLabel * Math.SQRT1_2 + 12 : LABEL_FONT + 10;
  const left = AXIS_FONT + 14 + maxLabel + 10;
  const top = (options.title ? 38 : 14);
  const side = k * cell;
  const barX = left + side + 18;
  const barW = 14;
  const barTicks = normalize ? [0, 0.25, 0.5, 0.75, 1] : niceTicks(0, Math.max(1, maxCount), 4);
  const barStep = normalize ? 0.25 : niceStep(Math.max(1, maxCount) / 4);
  const barLabel = (v: number) => (normalize ? `${Math.round(v * 100)}%` : formatTick(v, barStep));
  const barLabelW = Math.max(...barTicks.map((v) => textWidth(barLabel(v), 11)));
  const width = colorBar ? barX + barW + 6 + barLabelW + 12 : left + side + 16;
  const height = top + side + colLabelH + AXIS_FONT + 14;

  const valueFont = Math.max(8, Math.min(15, Math.round(cell * 0.22)));
  const countFont = Math.max(7, Math.round(valueFont * 0.78));
  const percentDecimals = cell >= 56 ? 1 : 0;

  const parts: string[] = [];
  if (options.title) {
    parts.push(textEl(left + side / 2, 24, options.title, { 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' }));
  }

  // Cells.
  parts.push('<g class="cells">');
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const count = confusion[r][c];
      const fraction = rowSums[r] > 0 ? count / rowSums[r] : 0;
      const t = normalize ? fraction : maxCount > 0 ? count / maxCount : 0;
      const x = left + c * cell, y = top + r * cell;
      const tip = `True ${classes[r]} → predicted ${classes[c]}: ${count}` + (rowSums[r] > 0 ? ` (${(fraction * 100).toFixed(1)}% of ${classes[r]})` : '');
      parts.push(
        `<rect${attrs({
          class: 'cell', x, y, width: cell, height: cell, fill: colorScale(t), stroke: '#ffffff', 'stroke-width': 1,
          'data-true': classes[r], 'data-predicted': classes[c], 'data-count': count, 'data-fraction': String(fraction),
        })}><title>${escapeXml(tip)}</title></rect>`,
      );
      const fill = textColorOn(t);
      const cx = x + cell / 2;
      const main = normalize ? (rowSums[r] > 0 ? `${(fraction * 100).toFixed(percentDecimals)}%` : '–') : String(count);
      if (showCounts && rowSums[r] > 0) {
        const gap = (valueFont + countFont) / 2;
        parts.push(textEl(cx, y + cell / 2 - gap / 2 + valueFont * 0.35, main, { 'text-anchor': 'middle', 'font-size': valueFont, fill, class: 'value' }));
        parts.push(textEl(cx, y + cell / 2 + gap / 2 + countFont * 0.45, `(${count})`, { 'text-anchor': 'middle', 'font-size': countFont, fill, 'fill-opacity': 0.85, class: 'count' }));
      } else {
        parts.push(textEl(cx, y + cell / 2 + valueFont * 0.35, main, { 'text-anchor': 'middle', 'font-size': valueFont, fill, class: 'value' }));
      }
    }
  }
  parts.push('</g>');
  parts.push(`<rect${attrs({ x: left, y: top, width: side, height: side, fill: 'none', stroke: '#555555', 'stroke-width': 1 })}/>`);

  // Row labels (true class) and column labels (predicted class).
  parts.push(`<g class="row-labels" font-size="${LABEL_FONT}" text-anchor="end">`);
  classes.forEach((name, r) => parts.push(textEl(left - 8, top + r * cell + cell / 2 + LABEL_FONT * 0.35, name)));
  parts.push('</g>');
  parts.push(`<g class="column-labels" font-size="${LABEL_FONT}">`);
  classes.forEach((name, c) => {
    const x = left + c * cell + cell / 2;
    const y = top + side + LABEL_FONT + 4;
    parts.push(rotateColumns
      ? textEl(x + 4, y - 4, name, { 'text-anchor': 'end', transform: `rotate(-45 ${num(x + 4)} ${num(y - 4)})` })
      : textEl(x, y, name, { 'text-anchor': 'middle' }));
  });
  parts.push('</g>');

  // Axis titles.
  const trueY = top + side / 2;
  parts.push(textEl(AXIS_FONT + 2, trueY, 'True', { 'text-anchor': 'middle', 'font-size': AXIS_FONT, 'font-weight': 'bold', transform: `rotate(-90 ${num(AXIS_FONT + 2)} ${num(trueY)})`, class: 'axis-title' }));
  parts.push(textEl(left + side / 2, top + side + colLabelH + AXIS_FONT + 2, 'Predicted', { 'text-anchor': 'middle', 'font-size': AXIS_FONT, 'font-weight': 'bold', class: 'axis-title' }));

  // Colour bar.
  if (colorBar) {
    const steps = 32;
    parts.push('<g class="color-bar">');
    for (let i = 0; i < steps; i++) {
      const h = side / steps;
      parts.push(`<rect${attrs({ x: barX, y: top + side - (i + 1) * h, width: barW, height: h + 0.5, fill: colorScale((i + 0.5) / steps) })}/>`);
    }
    parts.push(`<rect${attrs({ x: barX, y: top, width: barW, height: side, fill: 'none', stroke: '#555555' })}/>`);
    const maxV = normalize ? 1 : Math.max(1, maxCount);
    for (const v of barTicks) {
      const y = top + side - (v / maxV) * side;
      parts.push(`<line${attrs({ x1: barX + barW, x2: barX + barW + 4, y1: y, y2: y, stroke: '#555555' })}/>`);
      parts.push(textEl(barX + barW + 6, y + 4, barLabel(v), { 'font-size': 11 }));
    }
    parts.push('</g>');
  }

  return svgDocument(width, height, parts.join(''), options.title ?? 'Confusion matrix');
}
