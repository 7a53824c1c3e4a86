/**
 * What a queue worker reads for a job, and how much: anyone who can add a job must not be able to
 * make a worker read any file, fetch any address, or fill its memory or its slots. By default a
 * worker takes only the image bytes carried in the job (`base64`, or a `data:` URL); a `path` is
 * read only under the folders the worker allows (`allowPaths`), a `url` fetched only under the
 * prefixes it allows (`allowUrls`, redirects included). Every input is capped in bytes
 * (`maxInputBytes`) and in time (`readTimeoutMs`); a path must be a regular file (no FIFO, no
 * device). Any path or URL that is not read — not allowed, missing, a folder, unreachable, an HTTP
 * error — fails with one and the same reason ({@link REFUSED_INPUT}), so failures tell nothing
 * about the files and ports of the worker's machine.
 *
 * @packageDocumentation
 */
import { constants, promises as fsp } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Defaults of {@link InputPolicy}. */
export const INPUT_DEFAULTS = {
  /** Largest input a worker reads: 20 MiB (encoded image bytes). */
  maxInputBytes: 20 * 1024 * 1024,
  /** Longest a worker waits for one input (a slow URL, a slow disk): 30 s. */
  readTimeoutMs: 30_000,
} as const;

/** What a worker reads. Plain data. */
export interface InputPolicy {
  /** Folders whose files (subfolders included, symlinks resolved) `path` jobs may name. Default none: path jobs are refused. */
  allowPaths?: readonly string[];
  /** URL prefixes (e.g. `https://images.example.com/`) that `url` jobs, and every redirect they follow, must start with. Default none: URL jobs (other than `data:`) are refused. */
  allowUrls?: readonly string[];
  /** Largest input in bytes. Default 20 MiB ({@link INPUT_DEFAULTS}). */
  maxInputBytes?: number;
  /** Milliseconds to read one input before it fails. Default 30000. */
  readTimeoutMs?: number;
}

/** The one reason of every path or URL a worker does not read. */
export const REFUSED_INPUT = 'input refused: this worker reads only regular files under its --allow-paths folders and URLs under its --allow-urls prefixes (missing, unreachable and not allowed inputs are not told apart)';

/** An input the worker does not read: refused, too big, too slow. Final (not retried). */
export class InputRefusedError extends Error {
  constructor(message: string = REFUSED_INPUT) {
    super(message);
    this.name = 'InputRefusedError';
  }
}

const MB = (n: number) => (n < 1024 * 1024 ? `${n} bytes` : `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`);

function tooBig(limit: number): InputRefusedError {
  return new InputRefusedError(`input larger than this worker's limit of ${MB(limit)} (--max-input-bytes)`);
}

function tooSlow(ms: number): InputRefusedError {
  return new InputRefusedError(`input not read within this worker's limit of ${ms / 1000} s`);
}

/** A normalised policy (folders as real paths, URL prefixes as parsed hrefs). Invalid entries throw. */
export interface ResolvedPolicy {
  folders: string[];
  prefixes: string[];
  maxInputBytes: number;
  readTimeoutMs: number;
}

/**
 * Checks and normalises a policy once, when the worker starts.
 * @throws TypeError for a folder that does not exist, a URL prefix that is not http(s), bad limits.
 */
export async function resolvePolicy(policy: InputPolicy = {}): Promise<ResolvedPolicy> {
  const folders: string[] = [];
  for (const dir of policy.allowPaths ?? []) {
    let real: string;
    try {
      real = await fsp.realpath(dir);
    } catch {
      throw new TypeError(`allowPaths: "${dir}" is not a folder`);
    }
    if (!(await fsp.stat(real)).isDirectory()) throw new TypeError(`allowPaths: "${dir}" is not a folder`);
    folders.push(real);
  }
  const prefixes: string[] = [];
  for (const p of policy.allowUrls ?? []) {
    let u: URL;
    try {
      u = new URL(p);
    } catch {
      throw new TypeError(`allowUrls: "${p.slice(0, 100)}" is not a URL (expected e.g. https://images.example.com/)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`allowUrls: "${p.slice(0, 100)}" is not an http(s) URL`);
    prefixes.push(u.href);
  }
  const maxInputBytes = policy.maxInputBytes ?? INPUT_DEFAULTS.maxInputBytes;
  if (!Number.isInteger(maxInputBytes) || maxInputBytes < 1) throw new TypeError(`maxInputBytes must be a positive integer, got ${maxInputBytes}`);
  const readTimeoutMs = policy.readTimeoutMs ?? INPUT_DEFAULTS.readTimeoutMs;
  if (!Number.isFinite(readTimeoutMs) || readTimeoutMs <= 0) throw new TypeError(`readTimeoutMs must be a positive number, got ${readTimeoutMs}`);
  return { folders, prefixes, maxInputBytes, readTimeoutMs };
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** Rejects when `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolvePromise, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', abort); resolvePromise(v); },
      (e) => { signal.removeEventListener('abort', abort); reject(e); },
    );
  });
}

async function readPath(path: string, policy: ResolvedPolicy, signal: AbortSignal): Promise<Uint8Array> {
  if (policy.folders.length === 0) throw new InputRefusedError();
  let real: string;
  try {
    real = await fsp.realpath(resolve(path));
  } catch {
    throw new InputRefusedError();
  }
  if (!policy.folders.some((f) => inside(f, real))) throw new InputRefusedError();
  let handle: fsp.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer
    handle = await fsp.open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    throw new InputRefusedError();
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InputRefusedError();
    if (st.size > policy.maxInputBytes) throw tooBig(policy.maxInputBytes);
    // read at most the limit + 1 byte, whatever the size said (files of /proc say 0)
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      if (signal.aborted) throw tooSlow(policy.readTimeoutMs);
      const buf = Buffer.alloc(Math.min(1 << 20, policy.maxInputBytes + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > policy.maxInputBytes) throw tooBig(policy.maxInputBytes);
    }
    return new Uint8Array(Buffer.concat(chunks, total));
  } catch (e) {
    if (e instanceof InputRefusedError) throw e;
    throw new InputRefusedError();
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readUrl(url: string, policy: ResolvedPolicy, signal: AbortSignal): Promise<Uint8Array> {
  const allowed = (href: string) => policy.prefixes.some((p) => href.startsWith(p));
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new InputRefusedError();
  }
  for (let hop = 0; hop <= 5; hop++) {
    if ((current.protocol !== 'http:' && current.protocol !== 'https:') || !allowed(current.href)) throw new InputRefusedError();
    let res: Response;
    try {
      res = await fetch(current, { redirect: 'manual', signal });
    } catch {
      if (signal.aborted) throw tooSlow(policy.readTimeoutMs);
      throw new InputRefusedError();
    }
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      await res.body?.cancel().catch(() => undefined);
      if (!location) throw new InputRefusedError();
      try {
        current = new URL(location, current);
      } catch {
        throw new InputRefusedError();
      }
      continue;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new InputRefusedError();
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > policy.maxInputBytes) {
      await res.body.cancel().catch(() => undefined);
      throw tooBig(policy.maxInputBytes);
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > policy.maxInputBytes) throw tooBig(policy.maxInputBytes);
        chunks.push(value);
      }
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      if (e instanceof InputRefusedError) throw e;
      if (signal.aborted) throw tooSlow(policy.readTimeoutMs);
      throw new InputRefusedError();
    }
    return new Uint8Array(Buffer.concat(chunks, total));
  }
  throw new InputRefusedError(); // too many redirects
}

/** The bytes of a `data:` URL, capped. */
function readDataUrl(url: string, policy: ResolvedPolicy): Uint8Array {
  const comma = url.indexOf(',');
  if (comma < 0) throw new InputRefusedError('not a data: URL with a comma before its data');
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  if (/;base64$/i.test(meta)) {
    if (body.length > Math.ceil(policy.maxInputBytes / 3) * 4 + 4) throw tooBig(policy.maxInputBytes);
    return new Uint8Array(Buffer.from(body, 'base64'));
  }
  let text: string;
  try {
    text = decodeURIComponent(body);
  } catch {
    throw new InputRefusedError('not a valid data: URL (bad %-escape)');
  }
  const bytes = Buffer.from(text, 'latin1');
  if (bytes.length > policy.maxInputBytes) throw tooBig(policy.maxInputBytes);
  return new Uint8Array(bytes);
}

/** The bytes of a base64 string, capped before decoding. */
export function readBase64(base64: string, policy: ResolvedPolicy): Uint8Array {
  if (base64.length > Math.ceil(policy.maxInputBytes / 3) * 4 + 4) throw tooBig(policy.maxInputBytes);
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > policy.maxInputBytes) throw tooBig(policy.maxInputBytes);
  return new Uint8Array(bytes);
}

/**
 * Reads a job's image as the policy allows: a path or URL (a `file:` URL is a path) into bytes,
 * at most `maxInputBytes`, within `readTimeoutMs` (or until `signal` aborts).
 *
 * @throws InputRefusedError with {@link REFUSED_INPUT} for a path or URL that is not read, or a message naming the byte or time limit.
 */
export async function readJobInput(input: { path: string } | { url: string } | { base64: string }, policy: ResolvedPolicy, signal?: AbortSignal): Promise<Uint8Array> {
  if ('base64' in input) return readBase64(input.base64, policy);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.readTimeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let work: Promise<Uint8Array>;
    if ('path' in input) work = readPath(input.path, policy, controller.signal);
    else if (/^data:/i.test(input.url)) return readDataUrl(input.url, policy);
    else if (/^file:/i.test(input.url)) {
      let path: string;
      try {
        path = fileURLToPath(input.url);
      } catch {
        throw new InputRefusedError();
      }
      work = readPath(path, policy, controller.signal);
    } else work = readUrl(input.url, policy, controller.signal);
    return await raceAbort(work, controller.signal, () => tooSlow(policy.readTimeoutMs));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The bytes of a local image file for a job (the producer's side): a regular file of at most
 * `maxBytes`, opened without waiting on a FIFO.
 *
 * @throws Error naming the file: missing, a folder, not a regular file, too big.
 */
export async function readLocalImage(path: string, maxBytes: number): Promise<Uint8Array> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an image file' : (e as Error).message}`, { cause: e });
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new Error(`${path}: is a folder, not an image file`);
    if (!st.isFile()) throw new Error(`${path}: not a regular file (a device, FIFO or socket): give an image file`);
    if (st.size > maxBytes) throw new Error(`${path}: ${st.size} bytes, more than the workers' input limit of ${MB(maxBytes)}`);
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close().catch(() => undefined);
  }
}
