/**
 * What a JPEG's header says, read without decoding: size, sample precision, coding process, EXIF
 * orientation and the number of scans — enough to refuse what the pure-JS decoder would turn into
 * garbage (12-bit, lossless, arithmetic-coded) or spend unbounded time on, before decoding.
 *
 * @packageDocumentation
 */
import { exifOrientation, type Orientation } from './orientation.js';

/** The header of a JPEG: fields are absent when the bytes end before saying. */
export interface JpegHeader {
  width?: number;
  height?: number;
  /** Bits per sample of the frame (8 for ordinary JPEGs, 12 or 16 for medical and raw-camera ones). */
  precision?: number;
  /** The frame's SOF marker (0xc0 baseline, 0xc1 extended, 0xc2 progressive, 0xc3 lossless, 0xc9–0xcf arithmetic). */
  sof?: number;
  /** EXIF orientation from the APP1 `Exif` segment; 1 when there is none. */
  orientation: Orientation;
  /** Start-of-scan markers in the file (1 for baseline; progressive JPEGs have about 10). */
  scans: number;
  /** Bytes from the first start-of-scan marker to the end of the file: the coded image data (0 when none). */
  dataBytes: number;
}

/** SOF markers of JPEG (baseline, extended, progressive, lossless; Huffman and arithmetic). */
export function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

const EXIF = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

/** Reads the header of JPEG bytes (which must start with the SOI marker). */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  const out: JpegHeader = { orientation: 1, scans: 0, dataBytes: 0 };
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  let i = 2;
  let sos = -1;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1];
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    if (marker === 0xd9) break;
    if (marker === 0xda) { sos = i; break; }
    const length = u16(i + 2);
    if (length < 2) break;
    if (isSof(marker) && out.sof === undefined && i + 8 < bytes.length) {
      out.sof = marker;
      out.precision = bytes[i + 4];
      const height = u16(i + 5), width = u16(i + 7);
      if (height > 0 && width > 0) { out.height = height; out.width = width; }
    } else if (marker === 0xe1 && out.orientation === 1 && length >= 8 && i + 2 + length <= bytes.length
      && EXIF.every((v, k) => bytes[i + 4 + k] === v)) {
      out.orientation = exifOrientation(bytes.subarray(i + 10, i + 2 + length));
    }
    i += 2 + length;
  }
  if (sos >= 0) {
    out.dataBytes = bytes.length - sos;
    // In entropy-coded data a 0xff byte is followed by 0x00 (stuffing) or a marker, so every
    // ff da pair from here on starts a scan.
    let at = sos;
    while (at >= 0) {
      out.scans++;
      at = bytes.indexOf(0xda, at + 2);
      while (at > 0 && bytes[at - 1] !== 0xff) at = bytes.indexOf(0xda, at + 1);
    }
  }
  return out;
}
