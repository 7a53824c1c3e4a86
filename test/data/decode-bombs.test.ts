/**
 * Decompression bombs: a small PNG whose header says 1×1 but whose image data inflates to hundreds
 * of megabytes is refused after inflating no more than its header declares (memory stays bounded);
 * compressed metadata chunks are never inflated; a JPEG with thousands of scans is refused before
 * decoding.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImage, MAX_JPEG_SCANS } from '../../src/data/decode.js';
import { declaredDataSize } from '../../src/data/png.js';
import { buildPng, grayJpeg, grayPng, pngBomb, pngChunk } from './image-fixtures.js';

/** Peak RSS growth (MB) while `f` runs, sampled between the decoder's steps is not possible: measured as RSS after minus before, with GC. */
function rssGrowthMB(f: () => void): number {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  try { f(); } catch { /* the refusal is checked separately */ }
  return (process.memoryUsage().rss - before) / 2 ** 20;
}

describe('PNG decompression bombs', () => {
  it('computes the data size a header declares (filter byte per row; Adam7 passes)', () => {
    expect(declaredDataSize({ width: 1, height: 1, depth: 8, colorType: 0, interlaced: false })).toBe(2);
    expect(declaredDataSize({ width: 10, height: 3, depth: 8, colorType: 6, interlaced: false })).toBe(3 * 41);
    expect(declaredDataSize({ width: 9, height: 2, depth: 1, colorType: 0, interlaced: false })).toBe(2 * 3);
    // 1×1 interlaced: only the first pass has a pixel
    expect(declaredDataSize({ width: 1, height: 1, depth: 16, colorType: 2, interlaced: true })).toBe(7);
  });

  it('refuses a 1×1 PNG whose IDAT inflates to 200 MB, quickly and without the memory', () => {
    const bomb = pngBomb(1, 1, 200 * 2 ** 20);
    expect(bomb.length).toBeLessThan(1 << 20); // a small file
    const t0 = Date.now();
    expect(() => decodeImage(bomb)).toThrow(/^refused PNG: its image data inflates past the 2 bytes its header declares for 1×1 pixels/);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(rssGrowthMB(() => decodeImage(bomb))).toBeLessThan(100);
  });

  it('refuses a 100×100 PNG whose data inflates to 10× its declared size', () => {
    expect(() => decodeImage(pngBomb(100, 100, 101 * 100 * 10))).toThrow(/inflates past the 10100 bytes its header declares for 100×100 pixels/);
  });

  it('decodes a PNG whose data inflates to exactly its declared size', () => {
    const img = decodeImage(grayPng(100, 100, new Uint8Array(100 * 100).fill(77)));
    expect([img.width, img.height, img.data[0]]).toEqual([100, 100, 77]);
  });

  it('never inflates compressed metadata (an iCCP chunk holding a 200 MB bomb)', () => {
    const raw = Buffer.alloc(3 * 5, 0); // 3 rows of a filter byte and 4 gray pixels
    const iccp = Buffer.concat([Buffer.from('bomb\0\0', 'latin1'), deflateSync(Buffer.alloc(200 * 2 ** 20), { level: 9 })]);
    const png = buildPng(4, 3, 0, [pngChunk('iCCP', iccp), pngChunk('zTXt', iccp), pngChunk('IDAT', deflateSync(raw))]);
    let img: ReturnType<typeof decodeImage> | undefined;
    expect(rssGrowthMB(() => { img = decodeImage(png); })).toBeLessThan(100);
    expect([img?.width, img?.height]).toEqual([4, 3]);
  });
});

describe('JPEG bombs', () => {
  it('refuses a 600-byte JPEG whose header declares 7000×7000 pixels (it took 12 s and 1.5 GB before failing)', () => {
    const jpg = Buffer.from(grayJpeg(16, 16, new Uint8Array(256).fill(100), 50));
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    jpg.writeUInt16BE(7000, sof + 5);
    jpg.writeUInt16BE(7000, sof + 7);
    expect(jpg.length).toBeLessThan(1000);
    const t0 = Date.now();
    let growth = 0;
    expect(() => {
      growth = rssGrowthMB(() => decodeImage(jpg));
      decodeImage(jpg);
    }).toThrow(/^refused JPEG: \d+ bytes of image data cannot hold the 7000×7000 pixels its header declares \(at least 95704 bytes/);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(growth).toBeLessThan(100);
  });

  it('still decodes a flat 2000×1500 JPEG (the smallest real JPEGs spend several bits a block)', () => {
    const flat = grayJpeg(2000, 1500, new Uint8Array(2000 * 1500).fill(128), 10);
    expect(decodeImage(flat).width).toBe(2000);
  });
});

describe('JPEG scans', () => {
  it('refuses a JPEG with more scans than MAX_JPEG_SCANS before decoding', () => {
    const jpg = grayJpeg(16, 16, new Uint8Array(256).fill(100));
    // repeat the (baseline) scan: every ff da starts one
    const sos = jpg.indexOf(Buffer.from([0xff, 0xda]));
    const eoi = jpg.length - 2;
    const scan = jpg.subarray(sos, eoi);
    const many = Buffer.concat([jpg.subarray(0, sos), ...new Array(MAX_JPEG_SCANS + 1).fill(scan), jpg.subarray(eoi)]);
    expect(() => decodeImage(many)).toThrow(`refused JPEG: ${MAX_JPEG_SCANS + 1} scans, the limit is ${MAX_JPEG_SCANS}`);
    expect(decodeImage(jpg).width).toBe(16);
  });
});
