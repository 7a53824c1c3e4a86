/**
 * A binary cache of decoded datasets (Node only), so that reloading 32k JPEGs takes a second
 * instead of a minute. The key is a digest of the folder's content listing — every image's path
 * relative to the dataset root, size and mtime, plus the image size and class list — so any change
 * to the files invalidates it, and the same files at another path share it.
 *
 * The cache lives in {@link defaultCacheDir} (`$FER_CNN_LSTM_CACHE`, default
 * `~/.cache/fer-cnn-lstm`) and is bounded: only the {@link cacheKeep} most recently used datasets
 * are kept (`$FER_CNN_LSTM_CACHE_KEEP`, default 4; about 75 MB per FER-2013). `fer-cnn-lstm cache
 * clear` (or {@link clearCache}) empties it.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DECODER_VERSION } from './decode.js';
import type { DecodedImages, DirectoryEntry } from './directory.js';

const MAGIC = 'FERCACHE1';

/** Default cache folder: `$FER_CNN_LSTM_CACHE`, else `~/.cache/fer-cnn-lstm`, else the temp dir. */
export function defaultCacheDir(): string {
  if (process.env.FER_CNN_LSTM_CACHE) return process.env.FER_CNN_LSTM_CACHE;
  const home = homedir();
  return home ? join(home, '.cache', 'fer-cnn-lstm') : join(tmpdir(), 'fer-cnn-lstm-cache');
}

/** Cache key of a listed folder. */
export function cacheKey(entries: DirectoryEntry[], size: number, classes: readonly string[]): string {
  const h = createHash('sha256');
  h.update(`${MAGIC}|decoder ${DECODER_VERSION}|${size}|${classes.join(',')}|`);
  for (const e of entries) h.update(`${e.name}|${e.label}|${e.split}|${e.size}|${Math.round(e.mtimeMs)}\n`);
  return h.digest('hex').slice(0, 24);
}

/** Reads a cached decode, or `undefined` when absent or unreadable. */
export function readCache(dir: string, key: string): DecodedImages | undefined {
  const file = join(dir, `${key}.bin`);
  if (!existsSync(file)) return undefined;
  try {
    const buf = readFileSync(file);
    if (buf.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
    const headerLen = buf.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4;
    const header = JSON.parse(buf.subarray(start, start + headerLen).toString('utf8')) as Omit<DecodedImages, 'images' | 'labels' | 'splits'> & { count: number; px: number };
    let off = start + headerLen;
    const take = (n: number) => { const a = new Uint8Array(buf.buffer, buf.byteOffset + off, n).slice(); off += n; return a; };
    const images = take(header.count * header.px);
    const labels = take(header.count);
    const splits = take(header.count);
    try { const now = new Date(); utimesSync(file, now, now); } catch { /* read-only: recency is a hint */ }
    return { images, labels, splits, sources: header.sources, resized: header.resized, colour: header.colour, skipped: header.skipped };
  } catch {
    return undefined;
  }
}

/** Writes a decode to the cache (atomically); failures are ignored (the cache is an optimisation). */
export function writeCache(dir: string, key: string, data: DecodedImages, px: number): void {
  try {
    mkdirSync(dir, { recursive: true });
    const header = Buffer.from(JSON.stringify({
      count: data.labels.length, px, sources: data.sources, resized: data.resized, colour: data.colour, skipped: data.skipped,
    }), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    const tmp = join(dir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, header, data.images, data.labels, data.splits]));
    renameSync(tmp, join(dir, `${key}.bin`));
    pruneCache(dir);
  } catch {
    /* read-only home or full disk: carry on without a cache */
  }
}

/** The default number of cached datasets kept. */
export const DEFAULT_CACHE_KEEP = 4;

/** How many cached datasets are kept: `$FER_CNN_LSTM_CACHE_KEEP` (an integer ≥ 0), else {@link DEFAULT_CACHE_KEEP}. */
export function cacheKeep(): number {
  const v = process.env.FER_CNN_LSTM_CACHE_KEEP;
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_CACHE_KEEP;
}

/** One cached dataset. */
export interface CacheEntry {
  file: string;
  bytes: number;
  /** Last use (the file's mtime: written, or read by a load). */
  usedMs: number;
}

/** The cached datasets in `dir`, most recently used first (none when the folder does not exist). */
export function listCache(dir: string = defaultCacheDir()): CacheEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: CacheEntry[] = [];
  for (const n of names) {
    if (!/^[0-9a-f]+\.bin$/.test(n)) continue;
    try {
      const st = statSync(join(dir, n));
      out.push({ file: join(dir, n), bytes: st.size, usedMs: st.mtimeMs });
    } catch { /* removed meanwhile */ }
  }
  return out.sort((a, b) => b.usedMs - a.usedMs);
}

/**
 * Removes all but the `keep` most recently used cached datasets, and temporary files left by
 * interrupted writes (older than an hour). Returns the files removed.
 */
export function pruneCache(dir: string = defaultCacheDir(), keep = cacheKeep()): CacheEntry[] {
  const removed: CacheEntry[] = [];
  for (const e of listCache(dir).slice(keep)) {
    try { unlinkSync(e.file); removed.push(e); } catch { /* another process removed it */ }
  }
  try {
    for (const n of readdirSync(dir)) {
      if (!n.endsWith('.tmp')) continue;
      const f = join(dir, n);
      try { if (Date.now() - statSync(f).mtimeMs > 3_600_000) unlinkSync(f); } catch { /* gone */ }
    }
  } catch { /* no folder */ }
  return removed;
}

/** Removes every cached dataset from `dir`. Returns what was removed. */
export function clearCache(dir: string = defaultCacheDir()): CacheEntry[] {
  return pruneCache(dir, 0);
}
