/**
 * The image files named on a command line: files as given, folders searched (recursively) for
 * image files (JPEG, PNG and the formats read with the optional sharp), in name order.
 *
 * @packageDocumentation
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hasImageExtension } from '../data/formats.js';

/** Thrown for a path that does not exist: names it. */
export class MissingPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPathError';
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && hasImageExtension(e.name)) out.push(p);
  }
}

/**
 * The files of `inputs`: a file is taken as is (whatever its name: a bad one fails its job), a
 * folder gives its image files (`IMAGE_EXTENSIONS` of fer-cnn-lstm/batch), subfolders included, sorted by name.
 * @throws MissingPathError for an input that does not exist.
 */
export async function listImageFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = (await stat(input)).isDirectory();
    } catch {
      throw new MissingPathError(`${input}: no such file or folder`);
    }
    if (isDir) await walk(input, out);
    else out.push(input);
  }
  return out;
}
