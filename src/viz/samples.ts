/**
 * A grid of face images with their predictions, as a standalone SVG string (images embedded as
 * PNG data URIs, so the file is self-contained).
 *
 * @packageDocumentation
 */
import { pngDataUri } from './png.js';
import { attrs, checkPositive, escapeXml, svgDocument, textEl, textWidth } from './svg.js';

/** One image of {@link predictionGridSvg}. */
export interface PredictionSample {
  /** `size × size` gray pixels, row-major. */
  pixels: Uint8Array;
  /** Image side in pixels. */
  size: number;
  /** The true class, when known. */
  label?: string;
  /** The predicted class. */
  predicted: string;
  /** Confidence of the prediction in [0, 1]. */
  confidence: number;
}

/** Options of {@link predictionGridSvg}. */
export interface PredictionGridSvgOptions {
  /** Images per row. Default 6 (or fewer when there are fewer samples). */
  columns?: number;
  /** Magnification of each image (nearest neighbour). Default 2. */
  scale?: number;
  /** Title above the grid. Default: none. */
  title?: string;
}

const CORRECT = '#1a8a2e';
const WRONG = '#c62828';
const NEUTRAL = '#333333';
const CAPTION_FONT = 12;

/**
 * Draws images in a grid, each with its prediction underneath as `Predicted (87%)`: green when it
 * matches the label, red when it does not, dark gray when the sample has no label (the true label
 * is printed on a second line when it differs). Images are embedded as
 * `<image href="data:image/png;base64,…">` and scaled without smoothing.
 *
 * @throws RangeError when a sample's pixels are not `size × size` bytes, its confidence is not a
 *   number, or `columns`/`scale` are not positive.
 *
 * @example
 * ```ts
 * const preds = await classifyEmotion(images);
 * const svg = predictionGridSvg(preds.map((p, i) => ({ pixels: data.image(i), size: 48, label: data.classes[data.labels[i]], predicted: p.emotion, confidence: p.confidence })));
 * ```
 */
export function predictionGridSvg(samples: readonly PredictionSample[], options: PredictionGridSvgOptions = {}): string {
  checkPositive('predictionGridSvg: columns', options.columns, 1);
  checkPositive('predictionGridSvg: scale', options.scale, 0.1);
  samples.forEach((s, i) => {
    if (!Number.isInteger(s.size) || s.size < 1) throw new RangeError(`predictionGridSvg: sample ${i} has size ${s.size}, expected a positive integer`);
    if (!(s.pixels instanceof Uint8Array) || s.pixels.length !== s.size * s.size) {
      throw new RangeError(`predictionGridSvg: sample ${i} has ${s.pixels?.length} pixels, expected ${s.size}×${s.size} = ${s.size * s.size}`);
    }
    if (typeof s.confidence !== 'number' || Number.isNaN(s.confidence)) throw new RangeError(`predictionGridSvg: sample ${i} has confidence ${s.confidence}, expected a number in [0, 1]`);
  });
  const scale = options.scale ?? 2;
  const columns = Math.max(1, Math.min(Math.floor(options.columns ?? 6), samples.length || 1));
  const captions = samples.map((s) => `${s.predicted} (${Math.round(Math.min(1, Math.max(0, s.confidence)) * 100)}%)`);
  const anyWrongLabel = samples.some((s) => s.label !== undefined && s.label !== s.predicted);
  const imgSide = Math.max(...samples.map((s) => s.size * scale), 1);
  const captionW = Math.max(0, ...captions.map((c) => textWidth(c, CAPTION_FONT)), ...samples.map((s) => (s.label ? textWidth(`true: ${s.label}`, CAPTION_FONT - 1) : 0)));
  const tileW = Math.ceil(Math.max(imgSide, captionW) + 12);
  const captionH = anyWrongLabel ? 34 : 20;
  const tileH = imgSide + captionH + 8;
  const pad = 8;
  const top = options.title ? 36 : pad;
  const rows = Math.ceil(samples.length / columns);
  const width = pad * 2 + columns * tileW;
  const height = top + rows * tileH + pad;

  const parts: string[] = [];
  if (options.title) parts.push(textEl(width / 2, 24, options.title, { 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' }));
  samples.forEach((s, i) => {
    const col = i % columns, row = Math.floor(i / columns);
    const x = pad + col * tileW, y = top + row * tileH;
    const side = s.size * scale;
    const ix = x + (tileW - side) / 2;
    const correct = s.label === undefined ? undefined : s.label === s.predicted;
    const color = correct === undefined ? NEUTRAL : correct ? CORRECT : WRONG;
    const tip = s.label !== undefined ? `${captions[i]}, true: ${s.label}` : captions[i];
    parts.push(`<g${attrs({ class: 'sample', 'data-index': i, 'data-correct': correct === undefined ? undefined : String(correct) })}><title>${escapeXml(tip)}</title>`);
    parts.push(`<image${attrs({ x: ix, y, width: side, height: side, preserveAspectRatio: 'none', style: 'image-rendering:pixelated', href: pngDataUri(s.pixels, s.size, s.size) })}/>`);
    parts.push(`<rect${attrs({ x: ix - 0.5, y: y - 0.5, width: side + 1, height: side + 1, fill: 'none', stroke: color, 'stroke-width': correct === undefined ? 1 : 2 })}/>`);
    parts.push(textEl(x + tileW / 2, y + side + 15, captions[i], { 'text-anchor': 'middle', 'font-size': CAPTION_FONT, fill: color, class: 'caption' }));
    if (correct === false) {
      parts.push(textEl(x + tileW / 2, y + side + 29, `true: ${s.label}`, { 'text-anchor': 'middle', 'font-size': CAPTION_FONT - 1, fill: '#555555' }));
    }
    parts.push('</g>');
  });
  return svgDocument(width, height, parts.join(''), options.title ?? 'Predictions');
}
