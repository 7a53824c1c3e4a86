/**
 * Command-line argument parsing for the `fer-cnn-lstm` CLI (on `node:util` `parseArgs`): global
 * options, per-command option sets, and typed option readers that fail with a {@link UsageError}.
 *
 * @packageDocumentation
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line (unknown option, missing value, bad number): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Option definitions in `parseArgs` form. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
  backend: { type: 'string' },
} as const satisfies OptionSpecs;

/** A parsed command line: the command name (if any), its options and positional arguments. */
export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
  /** The arguments as given (without the command name). */
  raw: string[];
}

/** The global options that take a value (so that their value is not read as the command). */
const GLOBAL_WITH_VALUE = new Set(['--backend']);

/**
 * Finds the command name: the first argument that is neither an option nor the value of a global
 * option. Returns the command and the remaining arguments (globals included, in order).
 */
export function splitCommand(argv: readonly string[]): { command?: string; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (GLOBAL_WITH_VALUE.has(a)) { i++; continue; }
    if (a.startsWith('-')) continue;
    return { command: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: [...argv] };
}

/** Parses one command's arguments strictly (unknown options are a {@link UsageError}). */
export function parseCommandArgs(args: readonly string[], options: OptionSpecs, allowPositionals: boolean): ParsedArgs {
  const all: OptionSpecs = { ...GLOBAL_OPTIONS, ...options };
  // `--batch-size -1`: parseArgs reads "-1" as an option ("argument is ambiguous"); a negative number
  // after an option that takes a value is its value, so that the option's own check can say what is allowed
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const spec = a.startsWith('--') ? all[a.slice(2)] : undefined;
    if (spec?.type === 'string' && i + 1 < args.length && /^-(\d|\.\d|Infinity)/.test(args[i + 1])) {
      joined.push(`${a}=${args[++i]}`);
    } else {
      joined.push(a);
    }
  }
  try {
    const { values, positionals } = parseArgs({
      args: joined, options: all, allowPositionals, strict: true,
    });
    return { values: values as OptionValues, positionals, raw: [...args] };
  } catch (e) {
    // parseArgs's messages are long ("... To specify a positional argument starting with a '-' ..."): keep the first sentence
    const msg = (e as Error).message.split(/\.\s/)[0].replace(/\.$/, '');
    throw new UsageError(msg);
  }
}

/** A string option, or undefined. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A required string option. */
export function requiredString(values: OptionValues, name: string): string {
  const v = stringOption(values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** A boolean flag (false when absent). */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** An integer option within `[min, max]`, or undefined when absent. */
export function intOption(values: OptionValues, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` in ${min}–${max}`}, got "${v}"`);
  }
  return n;
}

/** A number option within `[min, max)` (or `[min, max]` with `inclusiveMax`), or undefined when absent. */
export function numberOption(values: OptionValues, name: string, min: number, max = Infinity, inclusiveMax = false): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  const okMax = inclusiveMax ? n <= max : n < max;
  if (v.trim() === '' || !Number.isFinite(n) || n < min || !okMax) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}${inclusiveMax ? ']' : ')'}`;
    throw new UsageError(`--${name} must be a number ${range}, got "${v}"`);
  }
  return n;
}

/** A number option that must be finite and > 0 (a learning rate, a size), or undefined when absent. */
export function positiveNumberOption(values: OptionValues, name: string): number | undefined {
  const v = stringOption(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${v}"`);
  return n;
}
