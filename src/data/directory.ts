/**
 * Reads a folder of labelled face images (Node only): the Kaggle layout
 * `train/<emotion>/Training_*.jpg`, `test/<emotion>/PublicTest_*.jpg`, or simply `<class>/*.png`.
 *
 * @packageDocumentation
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeImage } from './decode.js';
import { FerDataError } from './errors.js';
import { toGraySquare } from './image.js';
import { SPLITS, splitFromFileName, splitFromFolder, type Split } from './splits.js';

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/** One image file found in a dataset folder. */
export interface DirectoryEntry {
  path: string;
  /** Path relative to the dataset root, used as the image's source name. */
  name: string;
  label: number;
  split: Split;
  size: number;
  mtimeMs: number;
}

/** Lists the labelled images of a dataset folder without decoding them. */
export function listDirectory(dir: string, classes: readonly string[]): DirectoryEntry[] {
  const root = resolve(dir);
  if (!existsSync(root)) throw new FerDataError('no such folder', { source: dir });
  if (!statSync(root).isDirectory()) throw new FerDataError('not a folder', { source: dir });
  const classIndex = (name: string) => classes.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  const subdirs = (p: string) => readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
  const top = subdirs(root);
  // Either split folders holding class folders, or class folders directly.
  const splitLevel = top.some((t) => splitFromFolder(t) !== undefined);
  const groups: { folder: string; rel: string; split: Split | undefined }[] = splitLevel
    ? top.flatMap((t) => {
      const split = splitFromFolder(t);
      if (!split) throw new FerDataError(`unknown split folder "${t}" (expected train/ or test/)`, { source: join(dir, t) });
      return subdirs(join(root, t)).map((c) => ({ folder: c, rel: `${t}/${c}`, split }));
    })
    : top.map((c) => ({ folder: c, rel: c, split: undefined }));
  if (groups.length === 0) throw new FerDataError(`no class folders (expected e.g. train/happy/*.jpg or happy/*.jpg)`, { source: dir });
  const entries: DirectoryEntry[] = [];
  for (const g of groups) {
    const label = classIndex(g.folder);
    if (label < 0) {
      throw new FerDataError(`unknown emotion folder "${g.folder}" (expected one of: ${classes.join(', ')})`, { source: join(dir, g.rel) });
    }
    const files = readdirSync(join(root, g.rel)).filter((f) => IMAGE_EXT.test(f)).sort();
    for (const f of files) {
      const path = join(root, g.rel, f);
      const st = statSync(path);
      entries.push({
        path, name: `${g.rel}/${f}`, label,
        split: splitFromFileName(f) ?? g.split ?? 'Training',
        size: st.size, mtimeMs: st.mtimeMs,
      });
    }
  }
  return entries;
}

/** Decoded directory contents. */
export interface DecodedImages {
  images: Uint8Array;
  labels: Uint8Array;
  splits: Uint8Array;
  sources: string[];
  resized: number;
  colour: number;
  skipped: { source: string; reason: string }[];
}

/**
 * Decodes listed images to `size × size` gray.
 * @param onError `'throw'` (default) stops at the first unreadable file with a {@link FerDataError}
 *   naming it; `'skip'` leaves it out and records it in `skipped`.
 */
export function decodeEntries(entries: DirectoryEntry[], size: number, onError: 'throw' | 'skip' = 'throw'): DecodedImages {
  const px = size * size;
  const images = new Uint8Array(entries.length * px);
  const labels = new Uint8Array(entries.length);
  const splits = new Uint8Array(entries.length);
  const sources: string[] = [];
  const skipped: DecodedImages['skipped'] = [];
  let resized = 0, colour = 0, k = 0;
  for (const e of entries) {
    let pixels: Uint8Array;
    try {
      const { pixels: p, conversion } = toGraySquare(decodeImage(readFileSync(e.path)), size);
      pixels = p;
      if (conversion.resized) resized++;
      if (conversion.colour) colour++;
    } catch (err) {
      const reason = (err as Error).message;
      if (onError === 'skip') { skipped.push({ source: e.path, reason }); continue; }
      throw new FerDataError(reason, { source: e.path });
    }
    images.set(pixels, k * px);
    labels[k] = e.label;
    splits[k] = SPLITS.indexOf(e.split);
    sources.push(e.name);
    k++;
  }
  return { images: images.subarray(0, k * px), labels: labels.subarray(0, k), splits: splits.subarray(0, k), sources, resized, colour, skipped };
}
