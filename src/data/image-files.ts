/**
 * The image files of folders, listed one way for every command (`predict <folder>`, `enqueue
 * <folder>`): lazily, in a stable order (sorted names, a folder's files before its subfolders),
 * symlinks followed — each folder once, by device and inode, so a symlink loop ends — and
 * dotfiles included. A name that is not valid UTF-8 cannot be passed on as a path string: it is
 * reported to `onUnreadableName` instead of failing later as "no such file".
 *
 * @packageDocumentation
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hasImageExtension } from './formats.js';

export { IMAGE_EXTENSIONS } from './formats.js';

/** Options of {@link listImageFiles}. */
export interface ListOptions {
  /** Also list the subfolders' images (depth first). Default false: only a folder's own files. */
  recursive?: boolean;
  /**
   * Called for an entry whose name is not valid UTF-8 (it is skipped: such a name does not survive
   * the conversion to a string path). Default: none (skipped silently).
   */
  onUnreadableName?: (folder: string, rawName: Buffer) => void;
}

/** Whether a file name has one of the image extensions that folder runs take (`IMAGE_EXTENSIONS`). */
export const isImageName = hasImageExtension;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Yields the image files of `inputs`: a folder gives its `.jpg`/`.jpeg`/`.png` files (sorted by
 * name; with `recursive`, its subfolders' too, depth first, each folder once however many links
 * lead to it), any other path is yielded as given — also a missing one, so that it gets its error
 * result rather than ending the run.
 */
export async function* listImageFiles(inputs: Iterable<string>, options: ListOptions = {}): AsyncGenerator<string, void, undefined> {
  const visited = new Set<string>();
  const key = (s: { dev: number; ino: number }) => `${s.dev}:${s.ino}`;
  async function* walk(dir: string): AsyncGenerator<string, void, undefined> {
    const raw = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    const entries: { name: string; entry: (typeof raw)[number] }[] = [];
    for (const e of raw) {
      const name = e.name.toString('utf8');
      if (!Buffer.from(name, 'utf8').equals(e.name)) {
        options.onUnreadableName?.(dir, e.name);
        continue;
      }
      entries.push({ name, entry: e });
    }
    entries.sort((a, b) => byName(a.name, b.name));
    const subdirs: string[] = [];
    for (const { name, entry: e } of entries) {
      const path = join(dir, name);
      let isDir = e.isDirectory(), isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const s = await stat(path).catch(() => undefined);
        isDir = s?.isDirectory() ?? false;
        isFile = s?.isFile() ?? false;
      }
      if (isFile && isImageName(name)) yield path;
      else if (isDir && options.recursive) subdirs.push(path);
    }
    for (const d of subdirs) {
      const s = await stat(d).catch(() => undefined);
      if (!s || visited.has(key(s))) continue; // a symlink loop, or a folder already listed
      visited.add(key(s));
      yield* walk(d);
    }
  }
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined);
    if (s?.isDirectory()) {
      if (visited.has(key(s))) continue;
      visited.add(key(s));
      yield* walk(input);
    } else yield input;
  }
}

/** How many files {@link listImageFiles} yields (walks the folders once more, keeping only a count). */
export async function countImageFiles(inputs: Iterable<string>, options: ListOptions = {}): Promise<number> {
  let n = 0;
  for await (const _ of listImageFiles(inputs, { recursive: options.recursive })) n++;
  return n;
}

/** A file name's bytes as readable text: printable ASCII as is, any other byte as `\xNN`. */
export function showRawName(raw: Buffer): string {
  let out = '';
  for (const b of raw) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

/** The warning line for a name that is not valid UTF-8 (without the program prefix). */
export function unreadableNameWarning(folder: string, raw: Buffer): string {
  return `warning: ${join(folder, showRawName(raw))}: the file name is not valid UTF-8 and is skipped: rename the file to read it`;
}
