/**
 * Test scenes: FER-2013 PublicTest faces (48×48 gray) pasted, scaled up and optionally rotated,
 * into larger textured frames, with their true labels. Reads `../shared/datasets/fer2013`
 * (`SHARED_SKIP` says why tests skip where it is absent).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../src/data/decode.js';
import { EMOTIONS, type Emotion } from '../../src/emotions.js';
import { ROOT } from './fixtures.js';

/** PublicTest's folder: `<emotion>/PublicTest_*.jpg`. */
export const PUBLIC_TEST = join(ROOT, '..', 'shared', 'datasets', 'fer2013', 'test');

/** Why scene tests skip (undefined: the dataset is there). */
export const SHARED_SKIP = existsSync(PUBLIC_TEST) ? undefined : `${PUBLIC_TEST} is absent (the FER-2013 dataset is not on this machine)`;

/** A scene: an RGBA image holding one face, and the face's emotion. */
export interface Scene { width: number; height: number; data: Uint8Array; label: Emotion; file: string }

/** A small deterministic random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first `perClass` PublicTest files of each emotion (sorted by name), with their labels. */
export function publicTestFaces(perClass: number): { file: string; label: Emotion }[] {
  const out: { file: string; label: Emotion }[] = [];
  for (const label of EMOTIONS) {
    const dir = join(PUBLIC_TEST, label.toLowerCase());
    const files = readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, perClass);
    for (const f of files) out.push({ file: join(dir, f), label });
  }
  return out;
}

/**
 * Pastes a face into a `size × size` frame of smooth random texture: the face scaled to `faceSide`
 * pixels (bilinear), rotated by `degrees` about its centre (clockwise), at a random place that
 * keeps it inside the frame; outside the face's square, the frame's texture.
 */
export function scene(file: string, label: Emotion, options: { size: number; faceSide: number; degrees?: number; seed: number }): Scene {
  const face = decodeImage(readFileSync(file));
  const { size, faceSide } = options;
  const rand = rng(options.seed);
  // background: low-frequency gray texture
  const coarse = Array.from({ length: 64 }, () => 60 + rand() * 140);
  const bg = (x: number, y: number): number => {
    const gx = (x / size) * 7, gy = (y / size) * 7;
    const x0 = Math.floor(gx), y0 = Math.floor(gy), ax = gx - x0, ay = gy - y0;
    const c = (i: number, j: number): number => coarse[Math.min(7, j) * 8 + Math.min(7, i)];
    return (c(x0, y0) * (1 - ax) + c(x0 + 1, y0) * ax) * (1 - ay) + (c(x0, y0 + 1) * (1 - ax) + c(x0 + 1, y0 + 1) * ax) * ay;
  };
  const rad = ((options.degrees ?? 0) * Math.PI) / 180;
  // room for the rotated square
  const reach = (faceSide / 2) * (Math.abs(Math.cos(rad)) + Math.abs(Math.sin(rad)));
  const cx = reach + rand() * (size - 2 * reach), cy = reach + rand() * (size - 2 * reach);
  const cos = Math.cos(rad), sin = Math.sin(rad);
  const scale = face.width / faceSide;
  const sample = (u: number, v: number): number | undefined => {
    // u, v: face pixels (continuous); bilinear on the face's gray (channel 0)
    if (u < -0.5 || v < -0.5 || u > face.width - 0.5 || v > face.height - 0.5) return undefined;
    const x0 = Math.max(0, Math.min(face.width - 1, Math.floor(u))), y0 = Math.max(0, Math.min(face.height - 1, Math.floor(v)));
    const x1 = Math.min(face.width - 1, x0 + 1), y1 = Math.min(face.height - 1, y0 + 1);
    const ax = Math.max(0, Math.min(1, u - x0)), ay = Math.max(0, Math.min(1, v - y0));
    const p = (x: number, y: number): number => face.data[(y * face.width + x) * face.channels];
    return (p(x0, y0) * (1 - ax) + p(x1, y0) * ax) * (1 - ay) + (p(x0, y1) * (1 - ax) + p(x1, y1) * ax) * ay;
  };
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // inverse rotation: frame pixel → face pixel
      const dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      const fx = cos * dx + sin * dy, fy = -sin * dx + cos * dy;
      const v = sample((fx + faceSide / 2) * scale - 0.5, (fy + faceSide / 2) * scale - 0.5) ?? bg(x, y);
      const g = Math.round(v);
      data.set([g, g, g, 255], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data, label, file };
}
