/**
 * The image files named on a command line, listed as `predict` lists them (one shared listing:
 * `src/data/image-files.ts`): files as given, folders searched with their subfolders for JPEG
 * and PNG files, sorted by name, symlinks followed (each folder once).
 *
 * @packageDocumentation
 */
import { stat } from 'node:fs/promises';
import { listImageFiles as listLazily, type ListOptions } from '../data/image-files.js';

/** Thrown for a path that does not exist: names it. */
export class MissingPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPathError';
  }
}

/**
 * The files of `inputs`: a file is taken as is (whatever its name: a bad one fails its job), a
 * folder gives its `.jpg`, `.jpeg` and `.png` files, subfolders included, sorted by name.
 * @throws MissingPathError for an input that does not exist.
 */
export async function listImageFiles(inputs: readonly string[], options: Pick<ListOptions, 'onUnreadableName'> = {}): Promise<string[]> {
  for (const input of inputs) {
    if (!(await stat(input).catch(() => undefined))) throw new MissingPathError(`${input}: no such file or folder`);
  }
  const out: string[] = [];
  for await (const f of listLazily(inputs, { recursive: true, onUnreadableName: options.onUnreadableName })) out.push(f);
  return out;
}
