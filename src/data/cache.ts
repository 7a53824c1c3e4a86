/**
 * A binary cache of decoded datasets (Node only), so that reloading 32k JPEGs takes a second
 * instead of a minute. The key covers every file's path, size and mtime plus the image size and
 * class list, so any change to the folder invalidates it.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
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
  h.update(`${MAGIC}|${size}|${classes.join(',')}|`);
  for (const e of entries) h.update(`${e.path}|${e.size}|${Math.round(e.mtimeMs)}\n`);
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
  } catch {
    /* read-only home or full disk: carry on without a cache */
  }
}
