/**
 * EXIF orientation: a photo stored sideways with an Orientation tag (phones store portraits with
 * Orientation 6) decodes upright, as viewers display it, for all of 1–8, in JPEG (APP1) and PNG
 * (eXIf). The expectations come from the EXIF table of where the stored 0th row and 0th column
 * are shown, not from the code under test.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../../src/data/decode.js';
import { writeCache } from '../../src/data/cache.js';
import { listDirectory, decodeEntries } from '../../src/data/directory.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { EMOTIONS } from '../../src/emotions.js';
import { exifOrientation } from '../../src/data/orientation.js';
import type { Raster } from '../../src/data/image.js';
import { exifTiff, grayJpeg, grayPng, withJpegOrientation } from './image-fixtures.js';

type Side = 'top' | 'bottom' | 'left' | 'right';
/** EXIF 2.3, tag 0x0112: the displayed side of the stored 0th row, and of the stored 0th column. */
const TABLE: Record<number, [Side, Side]> = {
  1: ['top', 'left'], 2: ['top', 'right'], 3: ['bottom', 'right'], 4: ['bottom', 'left'],
  5: ['left', 'top'], 6: ['right', 'top'], 7: ['right', 'bottom'], 8: ['left', 'bottom'],
};
const OPPOSITE: Record<Side, Side> = { top: 'bottom', bottom: 'top', left: 'right', right: 'left' };

// stored 48×32, 16-px blocks: top-left corner 250, top-right 170, bottom-left 90, everything else 0
const W = 48, H = 32, B = 16;
const stored = new Uint8Array(W * H);
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    const top = y < B, left = x < B, right = x >= W - B, bottom = y >= H - B;
    stored[y * W + x] = top && left ? 250 : top && right ? 170 : bottom && left ? 90 : 0;
  }
}

/** Gray value of `img` at the middle of the 16-px block in the corner where sides `a` and `b` meet. */
function corner(img: Raster, a: Side, b: Side): number {
  const sides = [a, b];
  const x = sides.includes('left') ? B / 2 : img.width - B / 2;
  const y = sides.includes('top') ? B / 2 : img.height - B / 2;
  return img.data[(y * img.width + x) * img.channels];
}

function expectUpright(img: Raster, o: number, tolerance: number): void {
  const [row0, col0] = TABLE[o];
  expect([img.width, img.height]).toEqual(o >= 5 ? [H, W] : [W, H]);
  expect(Math.abs(corner(img, row0, col0) - 250)).toBeLessThanOrEqual(tolerance); // stored top-left
  expect(Math.abs(corner(img, row0, OPPOSITE[col0]) - 170)).toBeLessThanOrEqual(tolerance); // stored top-right
  expect(Math.abs(corner(img, OPPOSITE[row0], col0) - 90)).toBeLessThanOrEqual(tolerance); // stored bottom-left
  expect(corner(img, OPPOSITE[row0], OPPOSITE[col0])).toBeLessThanOrEqual(tolerance); // stored bottom-right
}

describe('EXIF orientation', () => {
  it('reads the Orientation tag of little- and big-endian EXIF, 1 when absent or malformed', () => {
    for (let o = 1; o <= 8; o++) {
      expect(exifOrientation(exifTiff(o, true))).toBe(o);
      expect(exifOrientation(exifTiff(o, false))).toBe(o);
    }
    expect(exifOrientation(exifTiff(9))).toBe(1);
    expect(exifOrientation(exifTiff(0))).toBe(1);
    expect(exifOrientation(new Uint8Array(5))).toBe(1);
    expect(exifOrientation(exifTiff(6).subarray(0, 15))).toBe(1); // entry cut off
  });

  for (let o = 1; o <= 8; o++) {
    it(`JPEG with Orientation ${o} decodes as displayed (${TABLE[o].join('/')})`, () => {
      const bytes = withJpegOrientation(grayJpeg(W, H, stored), o, o % 2 === 0);
      expectUpright(decodeImage(bytes), o, 12);
    });

    it(`PNG with an eXIf Orientation ${o} decodes as displayed`, () => {
      expectUpright(decodeImage(grayPng(W, H, stored, o)), o, 0);
    });
  }

  it('orientation: false gives the pixels as stored', () => {
    const img = decodeImage(withJpegOrientation(grayJpeg(W, H, stored), 6), { orientation: false });
    expectUpright(img, 1, 12);
  });

  it('a JPEG whose EXIF segment is malformed still decodes, as stored', () => {
    const bytes = withJpegOrientation(grayJpeg(W, H, stored), 6);
    bytes[12] = 0x58; // "II" → "XI": not TIFF
    expectUpright(decodeImage(bytes), 1, 12);
  });
});

describe('EXIF orientation in datasets', () => {
  it('a dataset folder reads a sideways-stored image upright, and a cache written before orientation was applied is not reused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fer-orient-ds-'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'fer-orient-cache-'));
    try {
      // a 48×48 face stored turned counter-clockwise, Orientation 6
      const face = new Uint8Array(48 * 48);
      for (let i = 0; i < face.length; i++) face[i] = ((i % 48) * 5 + Math.floor(i / 48)) % 256;
      const turned = new Uint8Array(48 * 48);
      for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) turned[(47 - x) * 48 + y] = face[y * 48 + x];
      mkdirSync(join(root, 'train', 'happy'), { recursive: true });
      writeFileSync(join(root, 'train', 'happy', 'Training_1.png'), grayPng(48, 48, turned, 6));
      // what an earlier version cached for this folder (the stored pixels), under the key it used then
      const entries = listDirectory(root, EMOTIONS);
      const old = decodeEntries(entries, 48);
      old.images.set(turned);
      const h = createHash('sha256');
      h.update(`FERCACHE1|48|${EMOTIONS.join(',')}|`);
      for (const e of entries) h.update(`${e.name}|${e.label}|${e.split}|${e.size}|${Math.round(e.mtimeMs)}\n`);
      writeCache(cacheDir, h.digest('hex').slice(0, 24), old, 48 * 48);

      const ds = await FerDataset.fromDirectory(root, { cacheDir });
      expect(ds.summary.cached).toBe(false);
      expect(ds.image(0)).toEqual(face);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
