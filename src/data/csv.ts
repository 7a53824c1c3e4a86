/**
 * Parser for the original Kaggle `fer2013.csv` (`emotion,pixels,Usage`).
 *
 * @packageDocumentation
 */
import { FerDataError } from './errors.js';
import { SPLITS, type Split } from './splits.js';

/** Parsed CSV rows, packed. */
export interface CsvData {
  images: Uint8Array;
  labels: Uint8Array;
  splits: Uint8Array;
  rows: number[];
}

/** A cell without surrounding double quotes (as some CSV writers add). */
function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : cell;
}

/**
 * Parses `fer2013.csv` text. The header must name `emotion` and `pixels`; `Usage` is optional
 * (rows without it are Training). Each row needs `size²` pixel values 0–255 and a label below
 * `numClasses`.
 *
 * @param source name used in error messages (the file path)
 * @throws FerDataError naming the source and row for the first bad row.
 */
export function parseFerCsv(text: string, options: { source?: string; size?: number; numClasses?: number } = {}): CsvData {
  const source = options.source ?? 'CSV';
  const size = options.size ?? 48;
  const numClasses = options.numClasses ?? 7;
  const px = size * size;
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').split(',').map((h) => unquote(h).trim().toLowerCase());
  const iEmotion = header.indexOf('emotion');
  const iPixels = header.indexOf('pixels');
  const iUsage = header.indexOf('usage');
  if (iEmotion < 0 || iPixels < 0) {
    throw new FerDataError(`expected a header with emotion,pixels[,Usage], got "${lines[0]?.slice(0, 60) ?? ''}"`, { source, row: 1 });
  }
  const count = lines.slice(1).filter((l) => l.trim() !== '').length;
  const images = new Uint8Array(count * px);
  const labels = new Uint8Array(count);
  const splits = new Uint8Array(count);
  const rows: number[] = [];
  let k = 0;
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const row = li + 1;
    const cells = line.split(',').map(unquote);
    if (cells.length < header.length) throw new FerDataError(`expected ${header.length} columns, got ${cells.length}`, { source, row });
    const labelText = cells[iEmotion].trim();
    const label = /^\d+$/.test(labelText) ? Number(labelText) : NaN;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new FerDataError(`bad label "${cells[iEmotion]}" (expected an integer 0–${numClasses - 1})`, { source, row });
    }
    const values = cells[iPixels].trim().split(/\s+/);
    if (values.length !== px) {
      throw new FerDataError(`expected ${px} pixels (${size}×${size}), got ${values.length}`, { source, row });
    }
    const off = k * px;
    for (let i = 0; i < px; i++) {
      const v = Number(values[i]);
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new FerDataError(`pixel ${i} is "${values[i]}" (expected 0–255)`, { source, row });
      images[off + i] = v;
    }
    let split: Split = 'Training';
    if (iUsage >= 0) {
      const u = (cells[iUsage] ?? '').trim();
      const found = SPLITS.find((s) => s.toLowerCase() === u.toLowerCase());
      if (!found) throw new FerDataError(`unknown Usage "${u}" (expected Training, PublicTest or PrivateTest)`, { source, row });
      split = found;
    }
    labels[k] = label;
    splits[k] = SPLITS.indexOf(split);
    rows.push(row);
    k++;
  }
  return { images, labels, splits, rows };
}
