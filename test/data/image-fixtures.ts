/** Encoded images with EXIF orientation, other formats' magic bytes, and PNG bombs, built in the tests. */
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** TIFF (EXIF) data whose IFD0 holds one tag, Orientation = `o`. */
export function exifTiff(o: number, littleEndian = true): Buffer {
  const b = Buffer.alloc(26);
  const u16 = (v: number, at: number) => (littleEndian ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (littleEndian ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  b.write(littleEndian ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(8, 4);
  u16(1, 8); // one entry
  u16(0x0112, 10); // Orientation
  u16(3, 12); // SHORT
  u32(1, 14); // count
  u16(o, 18); // value (left-justified in the 4-byte field)
  u32(0, 22); // no next IFD
  return b;
}

/** Inserts an APP1 `Exif` segment with Orientation `o` right after the SOI marker of `jpegBytes`. */
export function withJpegOrientation(jpegBytes: Uint8Array, o: number, littleEndian = true): Buffer {
  const tiff = exifTiff(o, littleEndian);
  const app1 = Buffer.alloc(4 + 6 + tiff.length);
  app1[0] = 0xff; app1[1] = 0xe1;
  app1.writeUInt16BE(2 + 6 + tiff.length, 2);
  app1.write('Exif\0\0', 4, 'latin1');
  tiff.copy(app1, 10);
  return Buffer.concat([Buffer.from(jpegBytes.subarray(0, 2)), app1, Buffer.from(jpegBytes.subarray(2))]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const v of b) c = CRC_TABLE[(c ^ v) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk with its length and CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG built chunk by chunk: IHDR for `w × h` 8-bit `colorType`, then `chunks`, then IEND. */
export function buildPng(w: number, h: number, colorType: number, chunks: Buffer[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = colorType;
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr), ...chunks, pngChunk('IEND', Buffer.alloc(0))]);
}

/** An 8-bit gray PNG of `w × h` (row-major `gray` bytes), with an eXIf chunk when `o` is given. */
export function grayPng(w: number, h: number, gray: Uint8Array, o?: number): Buffer {
  const raw = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++) raw.set(gray.subarray(y * w, (y + 1) * w), y * (w + 1) + 1);
  const chunks = o === undefined ? [] : [pngChunk('eXIf', exifTiff(o))];
  return buildPng(w, h, 0, [...chunks, pngChunk('IDAT', deflateSync(raw))]);
}

/**
 * A decompression bomb: a PNG whose header says `w × h` 8-bit gray and whose one IDAT inflates to
 * `inflated` bytes of zeros (deflate packs zeros about 1000:1).
 */
export function pngBomb(w: number, h: number, inflated: number): Buffer {
  return buildPng(w, h, 0, [pngChunk('IDAT', deflateSync(Buffer.alloc(inflated), { level: 9 }))]);
}

/** A gray `w × h` JPEG of `gray` bytes (RGBA expanded), quality 100. */
export function grayJpeg(w: number, h: number, gray: Uint8Array, quality = 100): Buffer {
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) { rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = gray[i]; rgba[4 * i + 3] = 255; }
  return jpeg.encode({ width: w, height: h, data: rgba }, quality).data;
}

/** An ordinary RGBA PNG written by pngjs. */
export function rgbaPng(w: number, h: number, fill = 90): Buffer {
  const p = new PNG({ width: w, height: h });
  p.data = Buffer.alloc(w * h * 4, fill);
  return PNG.sync.write(p);
}

/** Inserts an eXIf chunk with Orientation `o` right after the IHDR chunk of `pngBytes`. */
export function withPngOrientation(pngBytes: Uint8Array, o: number): Buffer {
  const b = Buffer.from(pngBytes);
  const afterIhdr = 8 + 12 + b.readUInt32BE(8);
  return Buffer.concat([b.subarray(0, afterIhdr), pngChunk('eXIf', exifTiff(o)), b.subarray(afterIhdr)]);
}

/** RGBA `w × h` pixels turned 90° counter-clockwise (what a camera stores for a photo shown with Orientation 6). */
export function turnCounterClockwise(rgba: Uint8Array, w: number, h: number): Uint8Array {
  // the displayed pixel (x, y) is stored at column y, row w - 1 - x of an h-wide, w-high image
  const out = new Uint8Array(rgba.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out.set(rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 4), ((w - 1 - x) * h + y) * 4);
  }
  return out;
}
