/**
 * PNG decoding with bounded memory: the chunks are read first, the image data is inflated in small
 * pieces and refused as soon as it grows past the size its header declares (a "decompression
 * bomb": a 1 MB file claiming 1×1 pixels that inflates to gigabytes), and only the chunks the
 * pixels need reach the decoder (fast-png, bundled) — compressed metadata (iCCP, zTXt, iTXt) is
 * never inflated. The EXIF orientation of an `eXIf` chunk is read.
 *
 * @packageDocumentation
 */
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import { Unzlib } from 'fflate';
import type { Raster } from './image.js';
import { exifOrientation, type Orientation } from './orientation.js';

/** What a PNG's chunks say, read without inflating anything. */
export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  depth: number;
  /** PNG colour type: 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
  /** EXIF orientation of an `eXIf` chunk; 1 when there is none. */
  orientation: Orientation;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Chunks the pixels need; the others are dropped before decoding. */
const KEEP = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND']);
/** Compressed bytes pushed to the inflater at a time: at most about 1000× that comes out per push. */
const SLICE = 16 * 1024;

interface Chunks {
  header: PngHeader;
  /** The PNG with only the {@link KEEP} chunks. */
  bytes: Uint8Array;
  /** The IDAT payloads, in order. */
  idat: Uint8Array[];
}

function u32(b: Uint8Array, i: number): number {
  return b[i] * 2 ** 24 + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
}

/** A PNG whose image data inflates past the size its header declares. */
export class PngBombError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngBombError';
  }
}

/** Reads the chunk structure of PNG bytes (signature already checked). @throws Error naming what is wrong (callers add "corrupt PNG"). */
function readChunks(bytes: Uint8Array): Chunks {
  let header: PngHeader | undefined;
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  const idat: Uint8Array[] = [];
  let i = 8;
  let ended = false;
  while (i + 8 <= bytes.length) {
    const length = u32(bytes, i);
    const type = String.fromCharCode(bytes[i + 4], bytes[i + 5], bytes[i + 6], bytes[i + 7]);
    const end = i + 12 + length;
    if (end > bytes.length) {
      if (type === 'IDAT' || !header) throw new Error(`truncated (its ${type} chunk ends past the end of the file)`);
      break;
    }
    const data = bytes.subarray(i + 8, i + 8 + length);
    if (type === 'IHDR') {
      if (length < 13) throw new Error('IHDR chunk too short');
      header = {
        width: u32(data, 0), height: u32(data, 4), depth: data[8], colorType: data[9], interlaced: data[12] === 1, orientation: 1,
      };
    } else if (type === 'eXIf' && header) {
      header.orientation = exifOrientation(data);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    if (KEEP.has(type)) kept.push(bytes.subarray(i, end));
    i = end;
    if (type === 'IEND') { ended = true; break; }
  }
  if (!header) throw new Error('no IHDR chunk');
  if (!(header.width > 0 && header.height > 0)) throw new Error(`its header declares ${header.width}×${header.height} pixels`);
  if (!CHANNELS[header.colorType] || ![1, 2, 4, 8, 16].includes(header.depth)) {
    throw new Error(`colour type ${header.colorType} with ${header.depth}-bit samples`);
  }
  if (idat.length === 0) throw new Error('no image data (IDAT)');
  if (!ended) kept.push(Uint8Array.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]));
  let total = 0;
  for (const k of kept) total += k.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const k of kept) { out.set(k, at); at += k.length; }
  return { header, bytes: out, idat };
}

/** Bytes of filtered scanlines the header declares (with the filter byte of each row; Adam7 passes when interlaced). */
export function declaredDataSize(h: Pick<PngHeader, 'width' | 'height' | 'depth' | 'colorType' | 'interlaced'>): number {
  const bits = CHANNELS[h.colorType] * h.depth;
  const rows = (w: number, n: number) => (w > 0 && n > 0 ? n * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (!h.interlaced) return rows(h.width, h.height);
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) total += rows(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy));
  return total;
}

/**
 * Inflates the image data piece by piece, counting what comes out and keeping none of it; throws
 * as soon as it passes what the header declares. Memory stays at about 1000 × {@link SLICE}.
 */
function checkInflatedSize(idat: Uint8Array[], header: PngHeader): void {
  const declared = declaredDataSize(header);
  let total = 0;
  const inflater = new Unzlib((chunk) => { total += chunk.length; });
  try {
    for (const data of idat) {
      for (let i = 0; i < data.length && total <= declared; i += SLICE) inflater.push(data.subarray(i, i + SLICE), false);
      if (total > declared) break;
    }
  } catch (e) {
    throw new Error(`its image data does not inflate: ${(e as Error).message}`);
  }
  if (total > declared) {
    throw new PngBombError(`refused PNG: its image data inflates past the ${declared} bytes its header declares for ${header.width}×${header.height} pixels`
      + ' (a decompression bomb?)');
  }
}

/** Reads the header of PNG bytes, without inflating. @throws Error for a PNG with no usable header. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  return readChunks(bytes).header;
}

/**
 * PNG bytes → 8-bit raster (palette expanded, 16-bit scaled down, 1/2/4-bit unpacked) as stored,
 * and the EXIF orientation of its `eXIf` chunk. Image data that inflates past the size the header
 * declares is refused before decoding ({@link PngBombError}).
 */
export function decodePngRaster(bytes: Uint8Array): { raster: Raster; orientation: Orientation } {
  const chunks = readChunks(bytes);
  checkInflatedSize(chunks.idat, chunks.header);
  return { raster: pngToRaster(decodePng(chunks.bytes)), orientation: chunks.header.orientation };
}

function pngToRaster(png: ReturnType<typeof decodePng>): Raster {
  const { width, height } = png;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / (width * height);
    return { width, height, channels: channels as Raster['channels'], data: rgb };
  }
  const channels = png.channels as Raster['channels'];
  const n = width * height * channels;
  let data: Uint8Array;
  if (png.depth === 16) {
    const src = png.data as Uint16Array;
    data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = src[i] >> 8;
  } else if (png.depth === 8) {
    data = png.data as Uint8Array;
  } else {
    // 1, 2 or 4 bits per sample, rows padded to whole bytes
    const src = png.data as Uint8Array;
    const depth = png.depth;
    const rowBytes = Math.ceil((width * channels * depth) / 8);
    const max = (1 << depth) - 1;
    data = new Uint8Array(n);
    for (let y = 0; y < height; y++) {
      for (let i = 0; i < width * channels; i++) {
        const bit = i * depth;
        const byte = src[y * rowBytes + (bit >> 3)];
        const v = (byte >> (8 - depth - (bit & 7))) & max;
        data[y * width * channels + i] = Math.round((v * 255) / max);
      }
    }
  }
  return { width, height, channels, data };
}
