/**
 * Where the library runs: Node (file paths, worker threads, `node:` modules) or a browser.
 *
 * @packageDocumentation
 */

/** Whether this is Node (and not a browser bundle that happens to define `process`). */
export const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/** The number of cores this process may use (`os.availableParallelism()`, at least 1); 0 outside Node. */
export async function coreCount(): Promise<number> {
  if (!isNode) return 0;
  const os = await import('node:os');
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}
