/**
 * `drawEmotions`: boxes and labels of classified faces drawn on a browser canvas (2D context),
 * e.g. over a `<video>` or the photo that `detectEmotions` read.
 *
 * @packageDocumentation
 */
import { annotationColor, emotionLabel } from './annotate.js';

/** A face to draw: its box in canvas pixels and its classification. */
export interface DrawableFace {
  box: { x: number; y: number; width: number; height: number };
  emotion: string;
  confidence: number;
}

/** The part of `CanvasRenderingContext2D` that {@link drawEmotions} uses. */
export interface Context2DLike {
  canvas?: { width: number; height: number };
  save(): void;
  restore(): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  strokeStyle: unknown;
  fillStyle: unknown;
  lineWidth: number;
  font: string;
  textBaseline: string;
}

/** Options of {@link drawEmotions}. */
export interface DrawEmotionsOptions {
  /** Scale from the faces' pixels to the canvas's (when the photo was drawn scaled). Default 1. */
  scale?: number;
  /** Line width in canvas pixels. Default: 1/200 of the canvas's larger side, at least 2. */
  lineWidth?: number;
  /** Label font size in canvas pixels. Default: 1/30 of the canvas's larger side, at least 12. */
  fontSize?: number;
  /** The label of a face. Default: `Happy 95%`. */
  label?: (face: DrawableFace) => string;
}

/**
 * Draws each face's box and label (`Happy 95%`, white on a bar of the emotion's colour, above the
 * box, inside the canvas) on a canvas: an `HTMLCanvasElement`, an `OffscreenCanvas` or a 2D context. The canvas's
 * pixels are not cleared first: draw the photo or video frame, then the faces.
 *
 * @example
 * ```ts
 * import { detectEmotions } from 'fer-cnn-lstm';
 * import { drawEmotions } from 'fer-cnn-lstm/viz';
 * ctx.drawImage(video, 0, 0);
 * drawEmotions(canvas, await detectEmotions(canvas));
 * ```
 * @throws TypeError when the canvas has no 2D context.
 */
export function drawEmotions(
  target: { getContext(kind: '2d'): unknown } | Context2DLike,
  faces: readonly DrawableFace[],
  options: DrawEmotionsOptions = {},
): void {
  const ctx = ('getContext' in target ? target.getContext('2d') : target) as Context2DLike | null;
  if (!ctx || typeof ctx.strokeRect !== 'function') throw new TypeError('drawEmotions needs a canvas with a 2D context (or a CanvasRenderingContext2D)');
  const side = Math.max(ctx.canvas?.width ?? 0, ctx.canvas?.height ?? 0);
  const scale = options.scale ?? 1;
  const lineWidth = options.lineWidth ?? Math.max(2, side / 200);
  const fontSize = options.fontSize ?? Math.max(12, Math.round(side / 30));
  ctx.save();
  try {
    ctx.lineWidth = lineWidth;
    ctx.font = `bold ${fontSize}px sans-serif`;
    ctx.textBaseline = 'top';
    for (const f of faces) {
      const text = options.label ? options.label(f) : emotionLabel(f);
      const [r, g, b] = annotationColor({ label: `${f.emotion}` });
      const color = `rgb(${r}, ${g}, ${b})`;
      const x = f.box.x * scale, y = f.box.y * scale, w = f.box.width * scale, h = f.box.height * scale;
      ctx.strokeStyle = color;
      ctx.strokeRect(x, y, w, h);
      const pad = Math.round(fontSize / 4);
      const barH = fontSize + 2 * pad;
      const barY = y - barH >= 0 ? y - barH : y;
      const barW = ctx.measureText(text).width + 2 * pad;
      // the bar starts at the box's left edge, moved left as far as needed to stay on the canvas
      const right = ctx.canvas?.width;
      const barX = Math.max(0, right !== undefined ? Math.min(x - lineWidth / 2, right - barW) : x - lineWidth / 2);
      ctx.fillStyle = color;
      ctx.fillRect(barX, barY, barW, barH);
      ctx.fillStyle = '#fff';
      ctx.fillText(text, barX + pad, barY + pad);
    }
  } finally {
    ctx.restore();
  }
}
