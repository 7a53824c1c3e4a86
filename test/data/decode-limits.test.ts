/**
 * Issue 13.4: images over the pixel limit are refused from their header, before decoding, with a
 * "too large" error giving the size; images within it decode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeImage, imageDimensions, MAX_IMAGE_PIXELS, maxImagePixels } from '../../src/data/decode.js';

/** The first bytes of a PNG claiming `w × h` (signature + IHDR), then garbage instead of image data. */
function pngHeader(w: number, h: number): Uint8Array {
  const b = Buffer.alloc(64, 0x55);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b[24] = 8; b[25] = 2; // 8-bit RGB
  return b;
}

/** The first bytes of a JPEG claiming `w × h`: SOI, an APP0 segment, a baseline SOF0, then garbage. */
function jpegHeader(w: number, h: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return Uint8Array.from([0xff, 0xd8, ...app0, ...sof, ...new Array(40).fill(0x55)]);
}

function realJpeg(w: number, h: number): Uint8Array {
  const data = Buffer.alloc(w * h * 4, 200);
  return jpeg.encode({ data, width: w, height: h }, 80).data;
}

function realPng(w: number, h: number): Uint8Array {
  const p = new PNG({ width: w, height: h });
  p.data = Buffer.alloc(w * h * 4, 90);
  return PNG.sync.write(p);
}

afterEach(() => { delete process.env.FER_CNN_LSTM_MAX_PIXELS; });

describe('image size limit', () => {
  it('reads width and height from PNG and JPEG headers', () => {
    expect(imageDimensions(realPng(30, 20))).toEqual({ width: 30, height: 20 });
    expect(imageDimensions(realJpeg(33, 17))).toEqual({ width: 33, height: 17 });
    expect(imageDimensions(pngHeader(20000, 20000))).toEqual({ width: 20000, height: 20000 });
    expect(imageDimensions(jpegHeader(9000, 8500))).toEqual({ width: 9000, height: 8500 });
  });

  it('refuses a 20000×20000 PNG from its header, with "too large" and the size (not "corrupt")', () => {
    const t0 = Date.now();
    expect(() => decodeImage(pngHeader(20000, 20000))).toThrow(/^too large: 20000×20000 pixels \(400\.0 MP\), the limit is 64 MP/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('refuses a JPEG over the limit from its header, with "too large" and the size', () => {
    expect(() => decodeImage(jpegHeader(9000, 8500))).toThrow(/^too large: 9000×8500 pixels \(76\.5 MP\)/);
  });

  it('decodes a valid JPEG within the limit and refuses the same image with a lower limit', () => {
    const bytes = realJpeg(1200, 1000);
    const img = decodeImage(bytes, { maxPixels: 1_200_000 });
    expect([img.width, img.height]).toEqual([1200, 1000]);
    expect(() => decodeImage(bytes, { maxPixels: 1_000_000 })).toThrow(/^too large: 1200×1000 pixels \(1\.2 MP\)/);
    process.env.FER_CNN_LSTM_MAX_PIXELS = '500000';
    expect(maxImagePixels()).toBe(500_000);
    expect(() => decodeImage(bytes)).toThrow(/too large/);
    expect(() => decodeImage(realPng(800, 700))).toThrow(/^too large: 800×700/);
  });

  it('has a documented default of 64 MP (8000×8000 fits)', () => {
    expect(MAX_IMAGE_PIXELS).toBe(64_000_000);
    expect(maxImagePixels()).toBe(MAX_IMAGE_PIXELS);
    expect(8000 * 8000).toBeLessThanOrEqual(maxImagePixels());
    expect(() => decodeImage(pngHeader(8001, 8000))).toThrow(/^too large/);
  });

  it('says "empty file" for 0 bytes', () => {
    expect(() => decodeImage(new Uint8Array(0))).toThrow(/^empty file/);
  });
});
