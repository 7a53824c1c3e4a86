/**
 * Formats told from their bytes: 12-bit (and lossless, arithmetic-coded) JPEGs are refused rather
 * than decoded to garbage; WebP, GIF, BMP, TIFF, HEIC, AVIF… are named in the error — whatever the
 * file is called — instead of "not a JPEG or PNG".
 */
import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { decodeImage } from '../../src/data/decode.js';
import { detectFormat, hasImageExtension, IMAGE_EXTENSIONS } from '../../src/data/formats.js';
import { grayJpeg } from './image-fixtures.js';

/** A JPEG whose frame header says `precision` bits per sample and SOF marker `sof`. */
function jpegWithFrame(sof: number, precision: number): Buffer {
  const b = Buffer.from(grayJpeg(16, 16, new Uint8Array(256).fill(120)));
  const at = b.indexOf(Buffer.from([0xff, 0xc0]));
  b[at + 1] = sof;
  b[at + 4] = precision;
  return b;
}

const ascii = (s: string) => Buffer.from(s, 'latin1');
/** The first bytes of each format (enough to sniff), padded. */
const SAMPLES: Record<string, Buffer> = {
  WebP: Buffer.concat([ascii('RIFF'), Buffer.from([0x24, 0, 0, 0]), ascii('WEBPVP8 '), Buffer.alloc(32)]),
  GIF: Buffer.concat([ascii('GIF89a'), Buffer.alloc(32)]),
  BMP: Buffer.concat([ascii('BM'), Buffer.from([0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 40, 0, 0, 0]), Buffer.alloc(32)]),
  TIFF: Buffer.concat([ascii('II*\0'), Buffer.from([8, 0, 0, 0]), Buffer.alloc(32)]),
  'TIFF (big-endian)': Buffer.concat([ascii('MM\0*'), Buffer.from([0, 0, 0, 8]), Buffer.alloc(32)]),
  HEIC: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), ascii('ftypheic'), Buffer.from([0, 0, 0, 0]), ascii('mif1heic'), Buffer.alloc(32)]),
  AVIF: Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), ascii('ftypavif'), Buffer.from([0, 0, 0, 0]), ascii('avifmif1miaf'), Buffer.alloc(32)]),
  'AVIF (mif1 brand first)': Buffer.concat([Buffer.from([0, 0, 0, 0x18]), ascii('ftypmif1'), Buffer.from([0, 0, 0, 0]), ascii('avifmiaf'), Buffer.alloc(32)]),
};
const EXPECTED: Record<string, [string, RegExp]> = {
  WebP: ['webp', /^WebP image: .*npm install sharp to read WebP/],
  GIF: ['gif', /^GIF image: .*npm install sharp to read GIF/],
  BMP: ['bmp', /^BMP image: not supported .*convert it to JPEG or PNG/],
  TIFF: ['tiff', /^TIFF image: .*npm install sharp/],
  'TIFF (big-endian)': ['tiff', /^TIFF image: .*npm install sharp/],
  HEIC: ['heif', /^HEIC\/HEIF image: .*npm install sharp/],
  AVIF: ['avif', /^AVIF image: .*npm install sharp/],
  'AVIF (mif1 brand first)': ['avif', /^AVIF image: .*npm install sharp/],
};

describe('JPEG variants jpeg-js cannot read', () => {
  it('refuses a 12-bit JPEG (which jpeg-js decodes to garbage)', () => {
    const twelve = jpegWithFrame(0xc1, 12);
    // what it did before: a confident-looking raster out of garbage
    expect(() => jpeg.decode(twelve, { useTArray: true })).not.toThrow();
    expect(() => decodeImage(twelve)).toThrow(/^12-bit JPEG is not supported/);
    expect(() => decodeImage(jpegWithFrame(0xc0, 16))).toThrow(/^16-bit JPEG is not supported/);
  });

  it('refuses lossless and arithmetic-coded JPEGs by name', () => {
    expect(() => decodeImage(jpegWithFrame(0xc3, 8))).toThrow(/^lossless JPEG is not supported/);
    expect(() => decodeImage(jpegWithFrame(0xc9, 8))).toThrow(/^arithmetic-coded JPEG is not supported/);
  });

  it('still reads 8-bit baseline JPEGs', () => {
    expect(decodeImage(jpegWithFrame(0xc0, 8)).width).toBe(16);
  });
});

describe('other formats are named', () => {
  for (const [name, bytes] of Object.entries(SAMPLES)) {
    it(`${name}`, () => {
      const [format, message] = EXPECTED[name];
      expect(detectFormat(bytes)).toBe(format);
      expect(() => decodeImage(bytes)).toThrow(message);
    });
  }

  it('names SVG, PDF and PSD; random bytes stay "not a JPEG or PNG image"', () => {
    expect(() => decodeImage(ascii('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'))).toThrow(/^SVG image: not supported/);
    expect(() => decodeImage(ascii('%PDF-1.7\n...'))).toThrow(/^PDF image: not supported/);
    expect(() => decodeImage(Buffer.concat([ascii('8BPS'), Buffer.alloc(30)]))).toThrow(/^Photoshop \(PSD\) image/);
    expect(() => decodeImage(Buffer.from('hello, not an image'))).toThrow(/^not a JPEG or PNG image$/);
  });

  it('folder runs take the formats sharp reads (one list, case-insensitive)', () => {
    for (const ext of ['.jpg', '.jpeg', '.png', '.webp', '.avif', '.heic', '.heif', '.tif', '.tiff', '.gif']) expect(IMAGE_EXTENSIONS).toContain(ext);
    expect(hasImageExtension('a/b/IMG_0001.HEIC')).toBe(true);
    expect(hasImageExtension('photo.WebP')).toBe(true);
    expect(hasImageExtension('notes.txt')).toBe(false);
    expect(hasImageExtension('.png')).toBe(false); // a hidden file named ".png"
    expect(hasImageExtension('dir.png/readme')).toBe(false);
  });
});
