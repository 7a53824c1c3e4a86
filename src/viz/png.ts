/**
 * A tiny dependency-free PNG encoder (uncompressed zlib "stored" blocks, CRC-32, Adler-32) that
 * works in Node and browsers without `Buffer`, and a base64 data-URI helper. Files are larger than
 * compressed PNGs (about the raw pixel size), which is fine for small images such as 48×48 faces.
 *
 * @packageDocumentation
 */

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, as PNG chunks use) of `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Adler-32 checksum (zlib) of `bytes`. */
export function adler32(bytes: Uint8Array): number {
  let a = 1, b = 0;
  const MOD = 65521;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + 5552); // largest run without overflow before the modulo
    for (; i < end; i++) { a += bytes[i]; b += a; }
    a %= MOD; b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream of `data` in uncompressed ("stored") deflate blocks. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const MAX = 65535;
  const blocks = Math.max(1, Math.ceil(data.length / MAX));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  let o = 0;
  out[o++] = 0x78; out[o++] = 0x01; // deflate, 32K window, no dictionary, fastest (CMF·256+FLG ≡ 0 mod 31)
  for (let b = 0; b < blocks; b++) {
    const start = b * MAX;
    const len = Math.min(MAX, data.length - start);
    out[o++] = b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE = 00
    out[o++] = len & 0xff; out[o++] = len >>> 8;
    out[o++] = ~len & 0xff; out[o++] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), o);
    o += len;
  }
  const ad = adler32(data);
  out[o++] = ad >>> 24; out[o++] = (ad >>> 16) & 0xff; out[o++] = (ad >>> 8) & 0xff; out[o++] = ad & 0xff;
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Channels per pixel that {@link encodePng} accepts: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
export type PngChannels = 1 | 2 | 3 | 4;

/**
 * Encodes 8-bit pixels as a PNG file (uncompressed). `pixels` is row-major, `channels` bytes per
 * pixel (default 1 = gray).
 *
 * @throws RangeError when the size is not a positive integer or `pixels` has the wrong length.
 *
 * @example
 * ```ts
 * const png = encodePng(dataset.image(0), 48, 48); // Uint8Array, starts with the PNG signature
 * ```
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: PngChannels = 1): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new RangeError(`encodePng: channels must be 1, 2, 3 or 4, got ${channels}`);
  const stride = width * channels;
  if (pixels.length !== stride * height) {
    throw new RangeError(`encodePng: expected ${stride * height} bytes for ${width}×${height}×${channels}, got ${pixels.length}`);
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = [0, 0, 4, 2, 6][channels]; // colour type: gray, gray+alpha, RGB, RGBA
  // compression 0, filter 0, interlace 0
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1); // filter byte 0
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', header), chunk('IDAT', zlibStored(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with padding) of `bytes`, without `Buffer` or `btoa`. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >>> 18] + B64[(n >>> 12) & 63] + B64[(n >>> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >>> 18] + B64[(n >>> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >>> 18] + B64[(n >>> 12) & 63] + B64[(n >>> 6) & 63] + '=';
  }
  return out;
}

/** A `data:image/png;base64,…` URI of gray (or `channels`-channel) pixels, for `<img>` / SVG `<image>`. */
export function pngDataUri(pixels: Uint8Array, width: number, height: number, channels: PngChannels = 1): string {
  return 'data:image/png;base64,' + base64(encodePng(pixels, width, height, channels));
}
