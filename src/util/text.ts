/**
 * Text on one line: messages of anything thrown, and text from outside (job names, file names, option values, error messages) made safe for one log
 * line: control characters escaped, so that a newline or an ANSI escape cannot forge or repaint
 * lines, and long values cut, so that one value cannot become a 30 MB line.
 *
 * @packageDocumentation
 */

/** The message of anything thrown, on one line (its name when the message is empty). */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim() || (err instanceof Error ? err.name : 'unknown error');
}

/** Longest echoed value, in characters, before it is cut. */
export const MAX_ECHO = 200;

/**
 * `text` with every control character (C0, DEL, C1, and the Unicode line and paragraph
 * separators) written as a visible escape (`\n`, `\x1b`, `\u2028`) — one line, nothing for a
 * terminal to interpret.
 */
export function escapeControl(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isControl(code)) continue;
    const c = text[i];
    out += text.slice(from, i) + (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t'
      : code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Whether a UTF-16 code unit is a control character: C0, DEL, C1, or U+2028/U+2029. */
export function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** `text` cut to `max` characters (with `…(N more characters)`) and control characters escaped. */
export function clip(text: string, max = MAX_ECHO): string {
  const cut = text.length > max ? `${text.slice(0, max)}…(${text.length - max} more characters)` : text;
  return escapeControl(cut);
}

/**
 * A short description of any value for an error message, without walking into it (a deeply
 * nested value cannot overflow the stack): strings quoted and cut, numbers as they are, objects
 * and arrays by kind and size.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${clip(value, 80)}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
