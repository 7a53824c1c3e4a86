/**
 * Result files of batch prediction: one row per file (per face with `faces`) as JSON lines or
 * CSV, written as results come, and read back by `--resume` to skip the files already done.
 *
 * @packageDocumentation
 */
import { EMOTIONS } from '../emotions.js';
import type { FileResult } from './predict-files.js';

/** Output formats. */
export type OutputFormat = 'jsonl' | 'csv';

/** The format of an output path: `.csv` → CSV, anything else (`.jsonl`, `.json`, `-`) → JSON lines. */
export function formatOf(path: string): OutputFormat {
  return /\.csv$/i.test(path) ? 'csv' : 'jsonl';
}

/** Row status: `ok`, `error` (see the error column), or `no-face` (a photo in which no face was found: no emotion). */
export type RowStatus = 'ok' | 'error' | 'no-face';

/** The CSV header for whole images or faces. */
export function csvHeader(faces: boolean): string[] {
  return ['file', ...(faces ? ['face', 'x', 'y', 'width', 'height', 'face_score'] : []), 'emotion', 'confidence', ...EMOTIONS, 'status', 'error'];
}

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A score or box value rounded for output (6 decimals; boxes 2). */
const round = (v: number, digits: number): number => Number(v.toFixed(digits));

const roundBox = (b: { x: number; y: number; width: number; height: number }) => ({ x: round(b.x, 2), y: round(b.y, 2), width: round(b.width, 2), height: round(b.height, 2) });

/** The output text (one or more lines, each ending in `\n`) of one file's result. */
export function formatResult(r: FileResult, format: OutputFormat, faces: boolean): string {
  const rows: Record<string, unknown>[] = [];
  if (r.status === 'error') rows.push({ file: r.file, status: 'error', error: r.error });
  else if ('faces' in r) {
    if (r.faces.length === 0) rows.push({ file: r.file, status: 'no-face' });
    r.faces.forEach((f, i) => rows.push({
      file: r.file, face: i + 1,
      box: roundBox(f.box),
      faceScore: round(f.faceScore, 6), emotion: f.emotion, confidence: f.confidence, scores: f.scores, status: 'ok',
      ...(f.lowContrast ? { lowContrast: true } : {}),
    }));
  } else if (r.status === 'no-face') rows.push({ file: r.file, status: 'no-face' });
  else {
    rows.push({
      file: r.file, emotion: r.emotion, confidence: r.confidence, scores: r.scores, status: 'ok', ...(r.lowContrast ? { lowContrast: true } : {}),
      // a photo: how many faces, and where the classified one is (JSON lines only; CSV keeps its columns)
      ...(r.box ? { faceCount: r.faceCount, box: roundBox(r.box), faceScore: round(r.faceScore!, 6) } : {}),
    });
  }
  if (format === 'jsonl') return rows.map((row) => JSON.stringify(row) + '\n').join('');
  return rows.map((row) => {
    const box = row.box as { x: number; y: number; width: number; height: number } | undefined;
    const scores = row.scores as Record<string, number> | undefined;
    const fields = [
      row.file as string,
      ...(faces ? [row.face as number | undefined, box?.x, box?.y, box?.width, box?.height, row.faceScore as number | undefined] : []),
      row.emotion as string | undefined, row.confidence as number | undefined,
      ...EMOTIONS.map((e) => scores?.[e]),
      row.status as string, row.error as string | undefined,
    ];
    return fields.map(csvField).join(',') + '\n';
  }).join('');
}

/** What an earlier (maybe interrupted) output holds. */
export interface ResumeState {
  /** Files with rows in the output, except the last one (which is redone: its rows may be incomplete). */
  done: Set<string>;
  /** Bytes of the output to keep: everything up to the last file's first row. Later bytes (that file's rows, a truncated line) are cut off. */
  keepBytes: number;
  /** Whether a CSV header is in the kept part. */
  hasHeader: boolean;
  /** Rows kept. */
  rows: number;
}

/** The first CSV field of a record (quoted or not). */
function firstCsvField(record: string): string {
  if (!record.startsWith('"')) {
    const comma = record.indexOf(',');
    return comma < 0 ? record : record.slice(0, comma);
  }
  let out = '';
  for (let i = 1; i < record.length; i++) {
    const c = record[i];
    if (c === '"') {
      if (record[i + 1] === '"') { out += '"'; i++; } else break;
    } else out += c;
  }
  return out;
}

/**
 * Reads an earlier output of the same format for `--resume`, streaming (a million rows are fine):
 * every complete row's file is done, except the last file's, which is redone, and anything after
 * the last complete line (a row cut off when the run was killed) is dropped.
 *
 * @throws Error when a CSV header differs from `header` (the output was written with other options) or a JSON line is not a result row.
 */
export async function readResumeState(path: string, format: OutputFormat, header?: string[]): Promise<ResumeState> {
  const { createReadStream, existsSync } = await import('node:fs');
  const state: ResumeState = { done: new Set(), keepBytes: 0, hasHeader: false, rows: 0 };
  if (!existsSync(path)) return state;
  let offset = 0; // bytes before `pending`
  let pending: Buffer = Buffer.alloc(0);
  let inQuotes = false;
  let scanFrom = 0;
  let lastFile: string | undefined;
  let lastFileStart = 0;
  let rowsBeforeLastFile = 0;
  let line = 0;
  const onRecord = (record: string, start: number, end: number) => {
    line++;
    const text = record.replace(/\r$/, '');
    if (format === 'csv' && line === 1) {
      if (header && text !== header.join(',')) {
        throw new Error(`${path}: its CSV header is "${text.slice(0, 120)}", expected "${header.join(',')}" (written with other options, e.g. --faces?): pass another --out or leave out --resume`);
      }
      state.hasHeader = true;
      state.keepBytes = end;
      lastFileStart = end;
      return;
    }
    if (text.trim() === '') return;
    let file: string;
    if (format === 'csv') file = firstCsvField(text);
    else {
      let row: unknown;
      try { row = JSON.parse(text); } catch { row = undefined; }
      if (typeof row !== 'object' || row === null || typeof (row as { file?: unknown }).file !== 'string') {
        throw new Error(`${path}, line ${line}: not a result row of fer-cnn-lstm predict (no "file"): pass another --out or leave out --resume`);
      }
      file = (row as { file: string }).file;
    }
    if (file !== lastFile) {
      if (lastFile !== undefined) state.done.add(lastFile);
      lastFile = file;
      lastFileStart = start;
      rowsBeforeLastFile = state.rows;
    }
    state.rows++;
    state.keepBytes = end;
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let recordStart = 0;
    for (let i = scanFrom; i < pending.length; i++) {
      const b = pending[i];
      if (b === 0x22 && format === 'csv') inQuotes = !inQuotes;
      else if (b === 0x0a && !inQuotes) {
        onRecord(pending.toString('utf8', recordStart, i), offset + recordStart, offset + i + 1);
        recordStart = i + 1;
      }
    }
    offset += recordStart;
    pending = pending.subarray(recordStart);
    scanFrom = pending.length;
  }
  // the last file's rows go (they may be incomplete); it is done again
  if (lastFile !== undefined) {
    state.keepBytes = lastFileStart;
    state.rows = rowsBeforeLastFile;
  }
  return state;
}
