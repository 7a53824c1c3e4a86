/**
 * Shared by mesh.ts and cnn.ts of the landmark probe (see README.md): lists and decodes one of the
 * three image sets to 48×48 gray with the library's own decoder and resizer.
 *
 * - `train`: FER-2013 Training (`<data>/fer2013`)
 * - `test`: FER-2013 PublicTest (`<data>/fer2013`)
 * - `ckplus`: CK+48 (`<data>/ckplus48`), evaluation only
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDirectory } from '../../../src/data/directory.js';
import { decodeImage } from '../../../src/data/decode.js';
import { toGraySquare } from '../../../src/data/image.js';
import { EMOTIONS } from '../../../src/emotions.js';

export const SETS: Record<string, { dir: string; split?: string }> = {
  train: { dir: 'fer2013', split: 'Training' },
  test: { dir: 'fer2013', split: 'PublicTest' },
  ckplus: { dir: 'ckplus48' },
};

/** The folder of `name` under the data root; exits 0 with a one-line message when it is absent. */
export function setDir(data: string, name: string): string {
  const s = SETS[name];
  if (!s) {
    console.error(`unknown set "${name}" (expected ${Object.keys(SETS).join('|')})`);
    process.exit(2);
  }
  const dir = join(data, s.dir);
  if (!existsSync(dir)) {
    console.log(`landmark probe: ${dir} not found (pass --data <dir> holding fer2013/ and ckplus48/); nothing measured`);
    process.exit(0);
  }
  return dir;
}

export function loadSet(name: string, data: string, limit = Infinity, stride = 1) {
  const s = SETS[name];
  let entries = listDirectory(setDir(data, name), EMOTIONS.map((e) => e.toLowerCase()));
  if (s.split) entries = entries.filter((e) => e.split === s.split);
  if (stride > 1) entries = entries.filter((_, i) => i % stride === 0);
  entries = entries.slice(0, Math.min(entries.length, limit));
  const n = entries.length;
  const pixels = new Uint8Array(n * 48 * 48);
  entries.forEach((e, i) => {
    const r = decodeImage(new Uint8Array(readFileSync(e.path)));
    pixels.set(toGraySquare(r, 48).pixels, i * 48 * 48);
  });
  return { names: entries.map((e) => e.name), labels: entries.map((e) => e.label), pixels, n };
}

/** A `--limit` / `--stride` value: a positive integer, or Infinity when not given. */
export function parseLimit(value: string | undefined, option = '--limit'): number {
  if (value === undefined) return Infinity;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${option} must be a positive integer, not "${value}"`);
    process.exit(2);
  }
  return n;
}
