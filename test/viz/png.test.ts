import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { adler32, base64, crc32, encodePng, pngDataUri, zlibStored } from '../../src/viz/png.js';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

function pattern(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; out[i] = s >>> 24; }
  return out;
}

describe('encodePng', () => {
  it('checksums match known values', () => {
    const abc = new TextEncoder().encode('123456789');
    expect(crc32(abc)).toBe(0xcbf43926);
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
  });

  it('zlib stored stream inflates back, across several blocks', () => {
    const data = pattern(150_000);
    expect(Buffer.from(data).equals(inflateSync(zlibStored(data)))).toBe(true);
    expect(new Uint8Array(inflateSync(zlibStored(new Uint8Array(0))))).toEqual(new Uint8Array(0));
  });

  it('writes a gray PNG that pngjs decodes to the same pixels', () => {
    const w = 48, h = 48;
    const pixels = pattern(w * h);
    const png = encodePng(pixels, w, h);
    expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
    const decoded = PNG.sync.read(Buffer.from(png));
    expect([decoded.width, decoded.height]).toEqual([w, h]);
    // pngjs expands to RGBA: every channel of pixel i equals the gray value.
    const expected = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) expected.set([pixels[i], pixels[i], pixels[i], 255], 4 * i);
    expect(Buffer.from(expected).equals(decoded.data)).toBe(true);
  });

  it('writes RGBA and non-square images exactly, including ones above one deflate block', () => {
    const w = 150, h = 130; // 150·4+1 bytes per row × 130 rows > 65,535
    const pixels = pattern(w * h * 4, 3);
    const decoded = PNG.sync.read(Buffer.from(encodePng(pixels, w, h, 4)));
    expect([decoded.width, decoded.height]).toEqual([w, h]);
    expect(Buffer.from(pixels).equals(decoded.data)).toBe(true);
  });

  it('rejects bad sizes with a clear message', () => {
    expect(() => encodePng(new Uint8Array(10), 3, 3)).toThrow(/expected 9 bytes/);
    expect(() => encodePng(new Uint8Array(0), 0, 3)).toThrow(/positive integers/);
  });

  it('base64 matches Buffer for every padding case, and builds a data URI', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100]) {
      const bytes = pattern(n, n + 1);
      expect(base64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    const uri = pngDataUri(new Uint8Array(4), 2, 2);
    expect(uri.startsWith('data:image/png;base64,iVBORw0KGgo')).toBe(true);
  });
});
