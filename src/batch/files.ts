/**
 * The image files of folders: listed lazily, in a stable order (sorted names, depth first), so
 * that a run over a huge folder starts at once and a resumed run sees the files in the same order.
 *
 * @packageDocumentation
 */
import { hasImageExtension } from '../data/formats.js';

export { IMAGE_EXTENSIONS } from '../data/formats.js';

/** Options of {@link listImageFiles}. */
export interface ListOptions {
  /** Also list the subfolders' images (depth first). Default false: only a folder's own files. */
  recursive?: boolean;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Yields the image files of `inputs`: a folder gives its image files ({@link IMAGE_EXTENSIONS}:
 * JPEG, PNG and the formats read with the optional sharp; sorted by name; with `recursive`, its
 * subfolders' too, depth first), any other path is yielded as given —
 * also a missing one, so that it gets its error result rather than ending the run.
 */
export async function* listImageFiles(inputs: Iterable<string>, options: ListOptions = {}): AsyncGenerator<string, void, undefined> {
  const { stat, readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  async function* walk(dir: string): AsyncGenerator<string, void, undefined> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => byName(a.name, b.name));
    const subdirs: string[] = [];
    for (const e of entries) {
      const path = join(dir, e.name);
      let isDir = e.isDirectory(), isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const s = await stat(path).catch(() => undefined);
        isDir = s?.isDirectory() ?? false;
        isFile = s?.isFile() ?? false;
      }
      if (isFile && hasImageExtension(e.name)) yield path;
      else if (isDir && options.recursive) subdirs.push(path);
    }
    for (const d of subdirs) yield* walk(d);
  }
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined);
    if (s?.isDirectory()) yield* walk(input);
    else yield input;
  }
}

/** How many files {@link listImageFiles} yields (walks the folders once more, keeping only a count). */
export async function countImageFiles(inputs: Iterable<string>, options: ListOptions = {}): Promise<number> {
  let n = 0;
  for await (const _ of listImageFiles(inputs, options)) n++;
  return n;
}
