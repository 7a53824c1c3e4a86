/**
 * The optional `sharp` peer: when installed, WebP, AVIF, TIFF and GIF decode (upright, whatever
 * the file is called), and photos over the pixel limit are shrunk on load with bounded memory;
 * without it (FER_CNN_LSTM_SHARP=0 here) they are refused naming the format and the fix.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeImage, decodeImageAsync } from '../../src/data/decode.js';
import type { Raster } from '../../src/data/image.js';
import { toGrayImages } from '../../src/inference/input.js';

const require = createRequire(import.meta.url);
let sharp: typeof import('sharp') | undefined;
try { sharp = require('sharp'); } catch { /* not installed: the sharp tests skip */ }
const NO_SHARP = 'sharp is not installed (npm install sharp)';

afterEach(() => { delete process.env.FER_CNN_LSTM_SHARP; });

// 40×30 gray, left half 60, right half 200, top-left 8×8 block 250: tells orientation apart
const W = 40, H = 30;
const gray = Buffer.alloc(W * H);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) gray[y * W + x] = x < 8 && y < 8 ? 250 : x < W / 2 ? 60 : 200;

function at(img: Raster, x: number, y: number): number {
  return img.data[(y * img.width + x) * img.channels];
}

async function encode(format: 'webp' | 'avif' | 'tiff' | 'gif', orientation?: number): Promise<Buffer> {
  let p = sharp!(gray, { raw: { width: W, height: H, channels: 1 } });
  p = format === 'webp' ? p.webp({ lossless: true }) : format === 'avif' ? p.avif({ quality: 90 }) : p.toFormat(format);
  if (orientation) p = p.withMetadata({ orientation });
  return p.toBuffer();
}

describe.skipIf(!sharp)(`with sharp installed${sharp ? '' : ` — skipped: ${NO_SHARP}`}`, () => {
  for (const format of ['webp', 'avif', 'tiff', 'gif'] as const) {
    it(`decodes ${format.toUpperCase()}`, async () => {
      const img = await decodeImageAsync(await encode(format));
      expect([img.width, img.height]).toEqual([W, H]);
      const tol = format === 'avif' ? 12 : 2;
      expect(Math.abs(at(img, 2, 2) - 250)).toBeLessThanOrEqual(tol);
      expect(Math.abs(at(img, 12, 20) - 60)).toBeLessThanOrEqual(tol);
      expect(Math.abs(at(img, 35, 20) - 200)).toBeLessThanOrEqual(tol);
    });
  }

  it('applies EXIF orientation 6 of a WebP (turned to 30×40, the stored top-left at the top right)', async () => {
    const img = await decodeImageAsync(await encode('webp', 6));
    expect([img.width, img.height]).toEqual([H, W]);
    expect(Math.abs(at(img, H - 3, 2) - 250)).toBeLessThanOrEqual(2);
    expect(Math.abs(at(img, 2, 2) - 60)).toBeLessThanOrEqual(2);
  });

  it('reads a WebP named .jpg through the prediction input (file path)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'fer-sharp-'));
    try {
      const path = join(dir, 'photo.jpg');
      writeFileSync(path, await encode('webp'));
      const { pixels, count } = await toGrayImages(path, { size: 4 });
      expect(count).toBe(1);
      expect(pixels[15]).toBeGreaterThan(150); // bottom-right: the bright half
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shrinks a JPEG over the pixel limit on load instead of refusing it, keeping its aspect', async () => {
    const big = await sharp!({ create: { width: 1200, height: 900, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
    expect(() => decodeImage(big, { maxPixels: 300_000 })).toThrow(/^too large/);
    const img = await decodeImageAsync(big, { maxPixels: 300_000 });
    expect(img.width * img.height).toBeLessThanOrEqual(300_000);
    expect(img.width * img.height).toBeGreaterThan(250_000);
    expect(img.width / img.height).toBeCloseTo(1200 / 900, 1);
  });

  it('shrinks a 48 MP JPEG on load with memory bounded by the result, not the photo', async () => {
    const big = await sharp!({ create: { width: 8000, height: 6000, channels: 3, background: { r: 120, g: 80, b: 40 } } }).jpeg().toBuffer();
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage().rss;
    const img = await decodeImageAsync(big, { maxPixels: 1_000_000 });
    const growthMB = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(img.width * img.height).toBeLessThanOrEqual(1_000_000);
    // the pure-JS decoder needs about 20 bytes a pixel: 900 MB for this photo
    expect(growthMB).toBeLessThan(200);
  });

  it('names HEIC/HEIF bytes sharp cannot decode', async () => {
    const ascii = (s: string) => Buffer.from(s, 'latin1');
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), ascii('ftypheic'), Buffer.from([0, 0, 0, 0]), ascii('mif1heic'), Buffer.alloc(32)]);
    await expect(decodeImageAsync(heic)).rejects.toThrow(/HEIC\/HEIF/);
  });
});

describe('without sharp', () => {
  it('refuses WebP, AVIF, TIFF and GIF naming the format and the fix; JPEG and PNG still decode', async () => {
    process.env.FER_CNN_LSTM_SHARP = '0';
    const webp = Buffer.concat([Buffer.from('RIFF\x24\0\0\0WEBPVP8L', 'latin1'), Buffer.alloc(32)]);
    await expect(decodeImageAsync(webp)).rejects.toThrow(/^WebP image: .*npm install sharp to read WebP/);
    await expect(toGrayImages(webp)).rejects.toThrow(/^encoded image \(48 bytes\): WebP image: .*npm install sharp/);
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(32)]);
    await expect(decodeImageAsync(gif)).rejects.toThrow(/^GIF image: .*npm install sharp to read GIF/);
  });
});
