/**
 * Output files of the CLI's runs (`predict --out`, `enqueue --wait --out`), written so that no
 * work is lost: an output that is also one of the inputs is refused before anything is opened
 * for writing, every write error (a full disk: ENOSPC) is reported naming the file rather than
 * swallowed, and a lock file keeps a second run from writing the same output at the same time.
 *
 * @packageDocumentation
 */
import { constants, promises as fsp, readFileSync, rmSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** An output that cannot be written, or must not be (it is an input, another run holds it). Names the file. */
export class OutputFileError extends Error {
  /** The errno code (`ENOSPC`, `EACCES`…) when a system call failed. */
  readonly code?: string;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OutputFileError';
    this.code = options?.code;
  }
}

/** Readable names of the write errors a user can do something about. */
const WHY: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

/** `<file>: cannot write the output (ENOSPC: no space left on the device)`. */
export function writeError(path: string, e: unknown): OutputFileError {
  if (e instanceof OutputFileError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = code ? `${code}: ${WHY[code] ?? (e as Error).message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}` : String((e as Error)?.message ?? e);
  return new OutputFileError(`${path}: cannot write the output (${why})`, { cause: e, code });
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  return fsp.stat(path).catch(() => undefined);
}

const sameFile = (a: Stats, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;

/** Options of {@link refuseOutputIsInput}. */
export interface InputSpec {
  /** The inputs as given: files and folders. */
  inputs: readonly string[];
  /** Whether folders are searched with their subfolders. Default false. */
  recursive?: boolean;
  /** Whether a file of that name would be taken from a folder (e.g. an image extension). Default: every name. */
  listed?: (name: string) => boolean;
}

/**
 * Throws when `output` is one of the inputs: the same file (by device and inode, so another
 * spelling, a hard link or a symlink is caught too), or a file a folder input would list. Call it
 * before anything is opened for writing. Character devices (`/dev/null`, `/dev/stdout`) are
 * never refused.
 *
 * @throws OutputFileError naming the output and the input.
 */
export async function refuseOutputIsInput(output: string, spec: InputSpec): Promise<void> {
  const out = await statOrUndefined(output);
  if (out && !out.isFile() && !out.isDirectory()) return; // a device or a pipe: nothing to overwrite
  if (out?.isDirectory()) throw new OutputFileError(`${output}: is a folder: give a file name for the output`);
  const refuse = (input: string) => new OutputFileError(`${output}: the output is also an input (${input}): it would be overwritten before it is read; give another output file`);
  // the folder the output will be in, as the file system sees it
  const outDir = await fsp.realpath(dirname(resolve(output))).catch(() => undefined);
  const outName = basename(resolve(output));
  for (const input of spec.inputs) {
    const s = await statOrUndefined(input);
    if (!s) continue;
    if (s.isDirectory()) {
      if (outDir === undefined || (spec.listed && !spec.listed(outName))) continue;
      const dir = await fsp.realpath(input).catch(() => undefined);
      if (dir === undefined) continue;
      const rel = relative(dir, outDir);
      const inside = rel === '' || (spec.recursive === true && !rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
      if (inside) throw refuse(input);
    } else if (out && sameFile(s, out)) throw refuse(input);
  }
}

/** A line-oriented output: every write is on disk (or has failed loudly) when its promise resolves. */
export interface OutputSink {
  /** Appends `text`. @throws OutputFileError naming the file (ENOSPC…). */
  write(text: string): Promise<void>;
  /** Closes the file (and removes its lock). Safe to call twice. @throws OutputFileError when the last bytes cannot be written. */
  close(): Promise<void>;
}

/** Options of {@link openOutput}. */
export interface OpenOutputOptions {
  /** Keep the first `keepBytes` bytes and append after them (a resumed run). Default false: the file is emptied. */
  append?: boolean;
  /** With `append`: bytes of the existing file to keep; later bytes are cut off. Default: all. */
  keepBytes?: number;
  /**
   * Hold `<file>.lock` (created exclusively, holding this process's id) while the file is open.
   * Default true; false for none; a function: the release of a lock already taken with
   * {@link lockOutput}, called on close.
   */
  lock?: boolean | (() => void);
}

/** Whether process `pid` is alive (signal 0 probes without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<file>.lock` for this process: created with O_EXCL and holding the pid. A lock whose
 * process is gone (a killed run) is stale and taken over.
 *
 * @returns a function that removes the lock.
 * @throws OutputFileError when another live process holds it.
 */
export async function lockOutput(path: string): Promise<() => void> {
  const lock = `${path}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const h = await fsp.open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await h.writeFile(`${process.pid}\n`);
      } finally {
        await h.close();
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          if (readFileSync(lock, 'utf8').trim() === String(process.pid)) rmSync(lock, { force: true });
        } catch { /* already gone */ }
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(lock, e);
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(readFileSync(lock, 'utf8').trim(), 10);
    } catch { /* removed meanwhile: try again */ }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new OutputFileError(`${path}: another run (process ${holder}) is writing this output (lock file ${lock}); wait for it to finish, or give another output file`);
    }
    // stale: its process is gone (or the lock is unreadable)
    await fsp.rm(lock, { force: true });
  }
  throw new OutputFileError(`${path}: cannot take the lock file ${lock} (other runs keep taking it)`);
}

/**
 * Opens an output file for writing: emptied (or, with `append`, cut to `keepBytes` and appended
 * to), locked against a second writer while open when it is a regular file. Every write is
 * awaited on the file, so a failure (ENOSPC on a full disk) is thrown at once, naming the file.
 *
 * @throws OutputFileError naming the file when it cannot be opened or is locked by another run.
 */
export async function openOutput(path: string, options: OpenOutputOptions = {}): Promise<OutputSink> {
  const existing = await statOrUndefined(path);
  const regular = existing === undefined || existing.isFile();
  const release = typeof options.lock === 'function' ? options.lock
    : regular && options.lock !== false ? await lockOutput(path) : () => {};
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, options.append ? 'a' : 'w');
    if (options.append && regular && options.keepBytes !== undefined) await handle.truncate(options.keepBytes);
  } catch (e) {
    release();
    throw writeError(path, e);
  }
  let failure: OutputFileError | undefined;
  let closed = false;
  return {
    async write(text) {
      if (failure) throw failure;
      if (closed) throw new OutputFileError(`${path}: written after it was closed`);
      try {
        const bytes = Buffer.from(text, 'utf8');
        let off = 0;
        while (off < bytes.length) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
      } catch (e) {
        failure = writeError(path, e);
        throw failure;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await handle.close();
      } catch (e) {
        failure ??= writeError(path, e);
      } finally {
        release();
      }
      if (failure) throw failure;
    },
  };
}

/**
 * Checks, before any work, that a file can later be written at `path`: its folder exists and is
 * writable, and it is not a folder. Nothing is created.
 *
 * @throws OutputFileError naming the file and why.
 */
export async function checkWritable(path: string): Promise<void> {
  const existing = await statOrUndefined(path);
  if (existing?.isDirectory()) throw new OutputFileError(`${path}: is a folder: give a file name`);
  if (existing) {
    try {
      await fsp.access(path, constants.W_OK);
    } catch (e) {
      throw writeError(path, e);
    }
    return;
  }
  const dir = dirname(resolve(path));
  const d = await statOrUndefined(dir);
  if (!d) throw new OutputFileError(`${path}: cannot write the output (its folder ${dirname(path)} does not exist)`);
  if (!d.isDirectory()) throw new OutputFileError(`${path}: cannot write the output (${dirname(path)} is not a folder)`);
  try {
    await fsp.access(dir, constants.W_OK);
  } catch (e) {
    throw writeError(path, e);
  }
}
