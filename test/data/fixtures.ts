/**
 * Test fixtures: small synthetic face-like images written as PNG / JPEG / CSV in temp folders.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** A deterministic `size × size` gray image; different seeds give different images. */
export function grayImage(seed: number, size = 48): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) out[y * size + x] = (x * 5 + y * 3 + seed * 37 + ((x * y + seed) % 11)) % 256;
  }
  return out;
}

/** A smooth gray image (JPEG-friendly: small quantisation error). */
export function smoothImage(seed: number, size = 48): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) out[y * size + x] = Math.round(128 + 90 * Math.sin((x + seed) / 9) * Math.cos((y - seed) / 13));
  }
  return out;
}

/** RGBA bytes of a gray image (r = g = b, opaque). */
export function grayToRgba(gray: Uint8Array): Uint8Array {
  const out = new Uint8Array(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = gray[i];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** PNG bytes of RGBA pixels. */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png);
}

/** PNG bytes of a square gray image stored as a 1-channel, 8-bit gray PNG. */
export function grayOnlyPng(gray: Uint8Array): Buffer {
  const size = Math.round(Math.sqrt(gray.length));
  const png = new PNG({ width: size, height: size });
  png.data = Buffer.from(grayToRgba(gray));
  return PNG.sync.write(png, { colorType: 0 });
}

/** PNG bytes of a square gray image. */
export function grayPng(gray: Uint8Array): Buffer {
  const size = Math.round(Math.sqrt(gray.length));
  return encodePng(grayToRgba(gray), size, size);
}

/** JPEG bytes (quality 100) of a square gray image. */
export function grayJpeg(gray: Uint8Array, quality = 100): Buffer {
  const size = Math.round(Math.sqrt(gray.length));
  return jpeg.encode({ data: Buffer.from(grayToRgba(gray)), width: size, height: size }, quality).data;
}

/** A fresh temp folder. */
export function tempDir(prefix = 'fer-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `bytes` to `root/rel`, creating folders. Returns the full path. */
export function put(root: string, rel: string, bytes: Uint8Array | string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** `fer2013.csv` text for images (48×48) with labels and Usage values. */
export function ferCsv(items: { pixels: Uint8Array; label: number; usage: string }[]): string {
  return ['emotion,pixels,Usage', ...items.map((it) => `${it.label},${Array.from(it.pixels).join(' ')},${it.usage}`)].join('\n') + '\n';
}
