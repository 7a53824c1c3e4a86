/**
 * Messages on one line.
 *
 * @packageDocumentation
 */

/** The message of anything thrown, on one line (its name when the message is empty). */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim() || (err instanceof Error ? err.name : 'unknown error');
}
