/**
 * Multi-face test photos composed from the public-domain example portrait
 * `examples/images/astronaut.png` (512×512, its FER-style face crop x 162–291, y 62–191).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ASTRONAUT = join(ROOT, 'examples', 'images', 'astronaut.png');

/** The reference FER-style face crop of `astronaut.png`: x 162–291, y 62–191 inclusive. */
export const ASTRONAUT_FACE = { x: 162, y: 62, width: 130, height: 130 };

/** An RGBA image. */
export interface Rgba { width: number; height: number; data: Uint8Array }

/** `astronaut.png` as RGBA. */
export function astronaut(): Rgba {
  const png = PNG.sync.read(readFileSync(ASTRONAUT));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

/** A copy of `src` scaled by `scale` (bilinear), optionally mirrored left–right. */
export function transform(src: Rgba, scale: number, mirror = false): Rgba {
  const width = Math.round(src.width * scale), height = Math.round(src.height * scale);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(src.height - 1, Math.max(0, (y + 0.5) / scale - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(src.height - 1, y0 + 1), ay = fy - y0;
    for (let x = 0; x < width; x++) {
      const xm = mirror ? width - 1 - x : x;
      const fx = Math.min(src.width - 1, Math.max(0, (xm + 0.5) / scale - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(src.width - 1, x0 + 1), ax = fx - x0;
      for (let c = 0; c < 4; c++) {
        const p = (xx: number, yy: number): number => src.data[(yy * src.width + xx) * 4 + c];
        data[(y * width + x) * 4 + c] = Math.round((p(x0, y0) * (1 - ax) + p(x1, y0) * ax) * (1 - ay) + (p(x0, y1) * (1 - ax) + p(x1, y1) * ax) * ay);
      }
    }
  }
  return { width, height, data };
}

/** A placed copy: where `transform(astronaut(), scale, mirror)` goes on the canvas. */
export interface Placement { x: number; y: number; scale: number; mirror?: boolean }

/**
 * A canvas (gray background) holding scaled/mirrored copies of the astronaut, and where each
 * copy's reference face crop lands.
 */
export function compose(width: number, height: number, placements: readonly Placement[]): { image: Rgba; faces: { x: number; y: number; width: number; height: number }[] } {
  const base = astronaut();
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) { data[i] = data[i + 1] = data[i + 2] = 128; data[i + 3] = 255; }
  const faces = [];
  for (const p of placements) {
    const t = transform(base, p.scale, p.mirror);
    for (let y = 0; y < t.height && p.y + y < height; y++) {
      for (let x = 0; x < t.width && p.x + x < width; x++) {
        data.set(t.data.subarray((y * t.width + x) * 4, (y * t.width + x) * 4 + 4), ((p.y + y) * width + p.x + x) * 4);
      }
    }
    const f = ASTRONAUT_FACE;
    const fx = p.mirror ? base.width - (f.x + f.width) : f.x;
    faces.push({ x: p.x + fx * p.scale, y: p.y + f.y * p.scale, width: f.width * p.scale, height: f.height * p.scale });
  }
  return { image: { width, height, data }, faces };
}
