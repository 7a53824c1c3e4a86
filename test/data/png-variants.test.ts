/**
 * The decompression-bomb guard must not refuse valid PNGs: every colour type, bit depths 1–16,
 * palettes and Adam7 interlacing (odd sizes, where some passes are empty) inflate to exactly the
 * size their header declares and decode to the pixels sharp (libpng) reads.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/data/decode.js';

const require = createRequire(import.meta.url);
let sharp: typeof import('sharp') | undefined;
try { sharp = require('sharp'); } catch { /* not installed: skipped */ }

function noise(w: number, h: number, channels: number): Buffer {
  const b = Buffer.alloc(w * h * channels);
  for (let i = 0; i < b.length; i++) b[i] = (i * 73 + (i >> 5) * 29) % 256;
  return b;
}

describe.skipIf(!sharp)(`PNG variants${sharp ? '' : ' — skipped: sharp is not installed (it writes the variants)'}`, () => {
  const cases: [string, number, number, number, Record<string, unknown>][] = [
    ['RGB interlaced 1×1', 1, 1, 3, { progressive: true }],
    ['RGBA interlaced 13×7', 13, 7, 4, { progressive: true }],
    ['gray interlaced 5×3', 5, 3, 1, { progressive: true }],
    ['palette 4 colours 17×9', 17, 9, 3, { palette: true, colours: 4 }],
    ['palette 200 colours interlaced 11×6', 11, 6, 3, { palette: true, colours: 200, progressive: true }],
    ['gray+alpha 9×9', 9, 9, 2, {}],
    ['RGB 31×2', 31, 2, 3, {}],
  ];
  for (const [name, w, h, channels, options] of cases) {
    it(name, async () => {
      const png = await sharp!(noise(w, h, channels), { raw: { width: w, height: h, channels: channels as 1 | 2 | 3 | 4 } }).png(options).toBuffer();
      const ref = await sharp!(png).raw().toBuffer({ resolveWithObject: true });
      const img = decodeImage(png);
      expect([img.width, img.height]).toEqual([w, h]);
      // compare the first channel of every pixel (channel counts may differ: palette → RGB)
      for (let i = 0; i < w * h; i++) expect(img.data[i * img.channels], `pixel ${i}`).toBe(ref.data[i * ref.info.channels]);
    });
  }

  it('16-bit RGB, interlaced', async () => {
    const png = await sharp!(noise(10, 7, 3), { raw: { width: 10, height: 7, channels: 3 } }).toColourspace('rgb16').png({ progressive: true }).toBuffer();
    expect(png[24]).toBe(16); // bit depth in IHDR
    const img = decodeImage(png);
    expect([img.width, img.height]).toEqual([10, 7]);
  });
});
