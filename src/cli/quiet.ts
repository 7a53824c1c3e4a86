/**
 * Keeps the CLI's stdout machine-readable: TensorFlow.js's console chatter (the "looks like you
 * are running TensorFlow.js in Node.js" banner, "Orthogonal initializer …" warnings) is dropped,
 * and any other `console.log` from libraries goes to stderr. The CLI writes its own output with
 * {@link out}, straight to stdout. (No TensorFlow.js import here: `--help` stays fast.)
 *
 * @packageDocumentation
 */
/** Warnings from TensorFlow.js that say nothing useful to a CLI user. */
const NOISE: RegExp[] = [
  /looks like you are running TensorFlow\.js in Node\.js/i,
  /Orthogonal initializer is being called on a matrix/i,
  /Platform .* has already been set/i,
];

function isNoise(args: unknown[]): boolean {
  return typeof args[0] === 'string' && NOISE.some((r) => r.test(args[0] as string));
}

let installed = false;

/**
 * Silences TensorFlow.js's banner and known warnings, and sends library `console.log` output to
 * stderr. With `verbose`, the tfjs warnings are kept (on stderr). Idempotent.
 */
export function quietTfjs(verbose = false): void {
  if (installed) return;
  installed = true;
  const warn = console.warn.bind(console);
  const error = console.error.bind(console);
  console.warn = (...args: unknown[]) => { if (verbose || !isNoise(args)) warn(...args); };
  console.log = (...args: unknown[]) => { if (verbose || !isNoise(args)) error(...args); };
  console.info = console.log;
}

/** Writes one line (or several) of the CLI's own output to stdout. */
export function out(line = ''): void {
  process.stdout.write(line + '\n');
}
