/**
 * Writing a file whole or not at all (Node): the data goes to a temporary file next to it, which
 * is then renamed over the file, so that a crash, a kill or a full disk at any moment leaves
 * either the old file or the new one, never half of one. Node's modules are imported when a
 * file is written (the modules that use this also load in browsers).
 *
 * @packageDocumentation
 */

/** What {@link writeFileAtomic} writes: what `fs.promises.writeFile` takes. */
export type AtomicWriteData = Parameters<typeof import('node:fs/promises').writeFile>[1];

/** The temporary file a write of `path` by process `pid` goes through: `<path>.<pid>.tmp`. */
export function atomicTempPath(path: string, pid: number = process.pid): string {
  return `${path}.${pid}.tmp`;
}

/**
 * The process id in file name `name` when it is a temporary file of a write of the file named
 * `base` ({@link atomicTempPath}: `<base>.<pid>.tmp`), else undefined: for removing what a killed
 * process left.
 */
export function atomicTempOwner(name: string, base: string): number | undefined {
  if (!name.startsWith(`${base}.`) || !name.endsWith('.tmp')) return undefined;
  const pid = name.slice(base.length + 1, -'.tmp'.length);
  return /^\d+$/.test(pid) ? Number(pid) : undefined;
}

/**
 * Replaces `path` with `data` atomically: writes {@link atomicTempPath}, then renames it over
 * `path`. On failure the temporary file is removed and the old file (if any) is left as it was.
 *
 * @throws the error of the write or the rename (ENOSPC, EACCES…).
 */
export async function writeFileAtomic(path: string, data: AtomicWriteData): Promise<void> {
  const { rename, rm, writeFile } = await import('node:fs/promises');
  const tmp = atomicTempPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/** Writes `value` as JSON (one-space indent, a final newline) with {@link writeFileAtomic}. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 1) + '\n');
}
