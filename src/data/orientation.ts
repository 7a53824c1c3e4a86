/**
 * EXIF orientation: the tag that says how a camera's stored pixels are turned for display (phones
 * store portrait photos sideways with Orientation 6), read from EXIF (TIFF) data, and applied to a
 * decoded raster so that it comes out as the image is displayed.
 *
 * @packageDocumentation
 */
import type { Raster } from './image.js';

/** EXIF Orientation values: 1 upright, 2 mirrored, 3 turned 180°, 4 flipped, 5–8 their transposes (6: turn 90° clockwise to display). */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * The Orientation tag (0x0112) of IFD0 of EXIF data: the TIFF structure that follows `Exif\0\0`
 * in a JPEG's APP1 segment (or a PNG's eXIf chunk). `1` when absent, malformed or out of range —
 * a bad tag never stops an image from being read.
 */
export function exifOrientation(tiff: Uint8Array): Orientation {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  const u16 = (i: number) => (little ? tiff[i] | (tiff[i + 1] << 8) : (tiff[i] << 8) | tiff[i + 1]);
  const u32 = (i: number) => (little
    ? (tiff[i] | (tiff[i + 1] << 8) | (tiff[i + 2] << 16)) + tiff[i + 3] * 2 ** 24
    : tiff[i] * 2 ** 24 + ((tiff[i + 1] << 16) | (tiff[i + 2] << 8) | tiff[i + 3]));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > tiff.length) return 1;
    if (u16(e) !== 0x0112) continue;
    // SHORT (3), count 1: the value sits in the first two bytes of the value field
    if (u16(e + 2) !== 3) return 1;
    const v = u16(e + 8);
    return v >= 1 && v <= 8 ? (v as Orientation) : 1;
  }
  return 1;
}

/**
 * Turns a raster stored with EXIF orientation `o` upright, as viewers display it (orientations
 * 5–8 swap width and height). Orientation 1 returns the raster itself.
 */
export function applyOrientation(img: Raster, o: Orientation): Raster {
  if (o === 1) return img;
  const { width: w, height: h, channels: c, data } = img;
  const swap = o >= 5;
  const W = swap ? h : w, H = swap ? w : h;
  const out = new Uint8Array(W * H * c);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // the stored pixel (sx, sy) shown at (x, y)
      let sx: number, sy: number;
      switch (o) {
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        default: sx = w - 1 - y; sy = x; break; // 8
      }
      const s = (sy * w + sx) * c, d = (y * W + x) * c;
      for (let k = 0; k < c; k++) out[d + k] = data[s + k];
    }
  }
  return { width: W, height: H, channels: c, data: out };
}
