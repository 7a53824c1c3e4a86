/**
 * How the CLI reports failures: one line `fer-cnn-lstm: <file>[, row N]: <problem>` on stderr, a
 * stack trace only with `--verbose`, and an exit code per kind of failure.
 *
 * @packageDocumentation
 */
import { UsageError } from './args.js';
import { oneLine } from '../util/text.js';

/** The program name used as the prefix of error lines. */
export const PROGRAM = 'fer-cnn-lstm';

/** Exit codes of the CLI. */
export const EXIT = {
  ok: 0,
  /** Bad input or a failed run. */
  failure: 1,
  /** A mistake in the command line. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT). */
  interrupted: 130,
} as const;

/** A failure in a known file: its message names the file (and row). */
export class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}

export { oneLine } from '../util/text.js';

/**
 * Runs `fn`; if it throws, rethrows a {@link SourceError} whose message names `source` (unless
 * the original message already does).
 */
export async function withSource<T>(source: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw attachSource(source, e);
  }
}

/** The error `e` as a {@link SourceError} naming `source` (unless it already names it, or is a usage error). */
export function attachSource(source: string, e: unknown): Error {
  if (e instanceof UsageError || e instanceof SourceError) return e;
  const msg = oneLine(e);
  return new SourceError(msg.includes(source) ? msg : `${source}: ${msg}`, { cause: e });
}

/** The line printed on stderr for a failure. */
export function errorLine(err: unknown): string {
  return `${PROGRAM}: ${oneLine(err)}`;
}

/** The exit code for a failure. */
export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? EXIT.usage : EXIT.failure;
}

/** Writes one error line (and the stack with `verbose`) to stderr. */
export function reportError(err: unknown, verbose: boolean): void {
  process.stderr.write(errorLine(err) + (err instanceof UsageError ? ' (see --help)' : '') + '\n');
  if (verbose && !(err instanceof UsageError)) {
    let e: unknown = err;
    while (e instanceof Error) {
      process.stderr.write((e.stack ?? e.message) + '\n');
      e = e.cause;
      if (e) process.stderr.write('caused by: ');
    }
  }
}
