/**
 * Image formats told from their first bytes (magic numbers), whatever the file is called, and the
 * file extensions folder runs take.
 *
 * @packageDocumentation
 */

/**
 * Encoded image formats recognised from their bytes. `jpeg` and `png` are decoded by this package
 * itself; `webp`, `avif`, `heif`, `tiff` and `gif` need the optional `sharp` package; the others
 * are only named in errors.
 */
export type DetectedFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'heif' | 'tiff' | 'gif' | 'bmp' | 'jxl' | 'ico' | 'psd' | 'svg' | 'pdf';

/** The formats read with the optional `sharp` package (when it is installed). */
export const SHARP_FORMATS: readonly DetectedFormat[] = Object.freeze(['webp', 'avif', 'heif', 'tiff', 'gif']);

/** How errors name each format. */
export const FORMAT_NAMES: Readonly<Record<DetectedFormat, string>> = Object.freeze({
  jpeg: 'JPEG', png: 'PNG', webp: 'WebP', avif: 'AVIF', heif: 'HEIC/HEIF', tiff: 'TIFF', gif: 'GIF', bmp: 'BMP',
  jxl: 'JPEG XL', ico: 'ICO', psd: 'Photoshop (PSD)', svg: 'SVG', pdf: 'PDF',
});

/**
 * File extensions (lower case, with the dot) that folder runs take: JPEG and PNG, and the formats
 * read with the optional `sharp` package (a file of those gets an error result naming the fix when
 * `sharp` is not installed). Files named explicitly are taken whatever their name.
 */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  '.jpg', '.jpeg', '.png', '.webp', '.avif', '.heic', '.heif', '.tif', '.tiff', '.gif',
]);

/** True when `name` ends with one of {@link IMAGE_EXTENSIONS} (case-insensitive). */
export function hasImageExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return dot > slash + 1 && IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** HEIF-family brands (ISO BMFF `ftyp`) → AVIF or HEIC/HEIF. */
function isoBrand(bytes: Uint8Array): DetectedFormat | undefined {
  if (bytes.length < 12 || ascii(bytes, 4, 4) !== 'ftyp') return undefined;
  const size = Math.min(bytes.length, ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3]);
  const brands = [ascii(bytes, 8, 4)];
  for (let i = 16; i + 4 <= size; i += 4) brands.push(ascii(bytes, i, 4));
  if (brands[0] === 'avif' || brands[0] === 'avis') return 'avif';
  if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs'].includes(brands[0])) return 'heif';
  if (brands.includes('avif') || brands.includes('avis')) return 'avif';
  if (brands.some((b) => b === 'mif1' || b === 'msf1' || b.startsWith('hei') || b.startsWith('hev'))) return 'heif';
  return undefined;
}

/** The format of encoded image bytes, from their first bytes; `undefined` when none of {@link DetectedFormat}. */
export function detectFormat(bytes: Uint8Array): DetectedFormat | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 4 && (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*' || ascii(b, 0, 4) === 'II+\0' || ascii(b, 0, 4) === 'MM\0+')) return 'tiff';
  const iso = isoBrand(b);
  if (iso) return iso;
  if (b.length >= 14 && ascii(b, 0, 2) === 'BM' && b[14] !== undefined && [12, 40, 52, 56, 64, 108, 124].includes(b[14] | (b[15] << 8))) return 'bmp';
  if ((b.length >= 2 && b[0] === 0xff && b[1] === 0x0a) || (b.length >= 12 && ascii(b, 4, 8) === 'JXL \r\n\x87\n')) return 'jxl';
  if (b.length >= 6 && b[0] === 0 && b[1] === 0 && (b[2] === 1 || b[2] === 2) && b[3] === 0 && (b[4] | b[5]) !== 0) return 'ico';
  if (b.length >= 4 && ascii(b, 0, 4) === '8BPS') return 'psd';
  if (b.length >= 5 && ascii(b, 0, 5) === '%PDF-') return 'pdf';
  const head = ascii(b, 0, 512).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  return undefined;
}
