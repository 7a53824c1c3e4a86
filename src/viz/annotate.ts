/**
 * Faces drawn onto a photo in pure JavaScript: a box around each face and a label ("HAPPY 95%")
 * above it, written into an RGBA raster (for `predict --annotate out.png`). Text uses a built-in
 * 5×7 pixel font (capitals, digits, `%`, `.`, `-`), scaled to the photo, so nothing else is needed.
 *
 * @packageDocumentation
 */
import { EMOTION_COLORS as TIMELINE_COLORS } from './timeline.js';

/** An RGBA image: `width × height` pixels, 4 bytes each. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** What is drawn for one face: its box (image pixels) and label. */
export interface FaceAnnotation {
  box: { x: number; y: number; width: number; height: number };
  /** The text above the box, e.g. `Happy 95%` (drawn in capitals; other characters become spaces). */
  label: string;
  /** Box and label colour `[r, g, b]`. Default: the emotion's colour from {@link EMOTION_RGB} when the label starts with an emotion, else yellow. */
  color?: readonly [number, number, number];
}

/** One colour `[r, g, b]` per FER-2013 emotion: the colours of the timeline plots ({@link TIMELINE_COLORS}). */
export const EMOTION_RGB: Readonly<Record<string, readonly [number, number, number]>> = Object.freeze(Object.fromEntries(
  Object.entries(TIMELINE_COLORS).map(([e, hex]) => [e, [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]]),
));

/** 5×7 glyphs, one string of 7 rows × 5 columns per character ('#' on). */
const GLYPHS: Record<string, string> = {
  A: '.###.#...##...#######...##...##...#', B: '####.#...##...#####.#...##...#####.', C: '.###.#...##....#....#....#...#.###.',
  D: '####.#...##...##...##...##...#####.', E: '######....#....####.#....#....#####', F: '######....#....####.#....#....#....',
  G: '.###.#...##....#.####...##...#.####', H: '#...##...##...#######...##...##...#', I: '.###...#....#....#....#....#...###.',
  J: '..###...#....#....#....#.#..#..##..', K: '#...##..#.#.#..##...#.#..#..#.#...#', L: '#....#....#....#....#....#....#####',
  M: '#...###.###.#.##...##...##...##...#', N: '#...###..##.#.##..###...##...##...#', O: '.###.#...##...##...##...##...#.###.',
  P: '####.#...##...#####.#....#....#....', Q: '.###.#...##...##...##.#.##..#..##.#', R: '####.#...##...#####.#.#..#..#.#...#',
  S: '.#####....#.....###.....#....#####.', T: '#####..#....#....#....#....#....#..', U: '#...##...##...##...##...##...#.###.',
  V: '#...##...##...##...##...#.#.#...#..', W: '#...##...##...##.#.##.#.##.#.#.#.#.', X: '#...##...#.#.#...#...#.#.#...##...#',
  Y: '#...##...#.#.#...#....#....#....#..', Z: '#####....#...#...#...#...#....#####',
  0: '.###.#...##..###.#.###..##...#.###.', 1: '..#...##....#....#....#....#...###.', 2: '.###.#...#....#...#...#...#...#####',
  3: '#####...#...#.....#.....##...#.###.', 4: '...#...##..#.#.#..#.#####...#....#.', 5: '######....####.....#....##...#.###.',
  6: '..##..#...#....####.#...##...#.###.', 7: '#####....#...#...#...#....#....#...', 8: '.###.#...##...#.###.#...##...#.###.',
  9: '.###.#...##...#.####....#...#..##..', '%': '##...##..#...#...#...#...#..##...##', '.': '..........................##...##..',
  '-': '...............#####...............', ' ': '...................................',
};

function glyph(ch: string): string {
  return GLYPHS[ch] ?? GLYPHS[' '];
}

function setPixel(img: RgbaImage, x: number, y: number, rgb: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const i = (y * img.width + x) * 4;
  img.data[i] = rgb[0]; img.data[i + 1] = rgb[1]; img.data[i + 2] = rgb[2]; img.data[i + 3] = 255;
}

function fillRect(img: RgbaImage, x0: number, y0: number, w: number, h: number, rgb: readonly [number, number, number]): void {
  const xa = Math.max(0, Math.round(x0)), ya = Math.max(0, Math.round(y0));
  const xb = Math.min(img.width, Math.round(x0 + w)), yb = Math.min(img.height, Math.round(y0 + h));
  for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) setPixel(img, x, y, rgb);
}

/** The width in pixels of `text` at pixel size `scale` (6 cells per character, the last without its gap). */
export function labelWidth(text: string, scale: number): number {
  return Math.max(0, text.length * 6 - 1) * scale;
}

/** Writes `text` (capitals) with its top-left corner at (x, y), each font cell `scale` pixels. */
export function drawText(img: RgbaImage, x: number, y: number, text: string, scale: number, rgb: readonly [number, number, number]): void {
  [...text.toUpperCase()].forEach((ch, k) => {
    const g = glyph(ch);
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 5; c++) if (g[r * 5 + c] === '#') fillRect(img, x + (k * 6 + c) * scale, y + r * scale, scale, scale, rgb);
    }
  });
}

/** The colour of an annotation: its own, else its emotion's, else yellow. */
export function annotationColor(a: Pick<FaceAnnotation, 'label' | 'color'>): readonly [number, number, number] {
  if (a.color) return a.color;
  const emotion = Object.keys(EMOTION_RGB).find((e) => a.label.toLowerCase().startsWith(e.toLowerCase()));
  return emotion ? EMOTION_RGB[emotion] : [255, 221, 0];
}

/**
 * Draws each face's box and label into `img` (changed in place, and returned): a box of lines about
 * 1/200 of the photo's larger side thick (at least 2 px), the label in white on a bar of the
 * box's colour just above the box (inside it when the box touches the top edge).
 */
export function annotateImage(img: RgbaImage, faces: readonly FaceAnnotation[]): RgbaImage {
  if (img.data.length !== img.width * img.height * 4) throw new RangeError(`annotateImage needs RGBA pixels: ${img.width}×${img.height} has ${img.data.length} bytes, expected ${img.width * img.height * 4}`);
  const side = Math.max(img.width, img.height);
  const t = Math.max(2, Math.round(side / 200));
  const scale = Math.max(1, Math.round(side / 250));
  for (const f of faces) {
    const rgb = annotationColor(f);
    const { x, y, width, height } = f.box;
    fillRect(img, x, y, width, t, rgb);
    fillRect(img, x, y + height - t, width, t, rgb);
    fillRect(img, x, y, t, height, rgb);
    fillRect(img, x + width - t, y, t, height, rgb);
    const text = f.label.toUpperCase();
    const barH = 9 * scale;
    const barW = labelWidth(text, scale) + 2 * scale;
    const barY = y - barH >= 0 ? y - barH : y;
    const barX = Math.min(Math.max(0, x), Math.max(0, img.width - barW));
    fillRect(img, barX, barY, barW, barH, rgb);
    drawText(img, barX + scale, barY + scale, text, scale, [255, 255, 255]);
  }
  return img;
}

/** The label of a classified face: `Happy 95%`. */
export function emotionLabel(f: { emotion: string; confidence: number }): string {
  return `${f.emotion} ${Math.round(100 * f.confidence)}%`;
}
