/**
 * For the docs tests: what the CLI's `--help` lists (commands, options, literal sub-commands), and
 * the `fer-cnn-lstm …` invocations of a shell snippet (commands, options, positionals).
 */

/** What one `--help` text lists. */
export interface CliHelp {
  /** Commands (only in `fer-cnn-lstm --help`). */
  commands: string[];
  /** Every option named at the start of a help line: `--out`, `-h`, `--help`, … */
  options: string[];
  /** Literal first arguments from the usage line: `<confusion|curves|samples>` or `[clear]`. */
  subcommands: string[];
}

/** Parses a `--help` text. */
export function parseHelp(text: string): CliHelp {
  const lines = text.split('\n');
  const commands: string[] = [];
  const start = lines.findIndex((l) => /^Commands:\s*$/.test(l));
  if (start >= 0) {
    for (const line of lines.slice(start + 1)) {
      const m = /^\s+([a-z][\w-]*)\s{2,}\S/.exec(line);
      if (!m) break;
      commands.push(m[1]);
    }
  }
  const options = new Set<string>();
  for (const line of lines) {
    const m = /^\s+((?:-[A-Za-z]|--[A-Za-z][\w-]*)(?:,\s*(?:-[A-Za-z]|--[A-Za-z][\w-]*))*)(?:\s|$)/.exec(line);
    if (m) for (const o of m[1].split(/,\s*/)) options.add(o);
  }
  const subcommands: string[] = [];
  const usage = /^Usage: \S+ \S+ (.*)$/m.exec(text)?.[1] ?? '';
  const group = /<([a-z]+(?:\|[a-z]+)+)>|\[(?!options\])([a-z]+)\]/.exec(usage);
  if (group) subcommands.push(...(group[1] ?? group[2]).split('|'));
  return { commands, options: [...options], subcommands };
}

/** One `fer-cnn-lstm …` call in a shell snippet. */
export interface CliInvocation {
  /** 1-based line in the snippet. */
  line: number;
  /** The command (`predict`, …); undefined for `fer-cnn-lstm --help` and the like. */
  command?: string;
  /** The options given, as written (`--out`, `-h`), brackets and `=value` removed. */
  options: string[];
  /** The arguments between the command and its first option (brackets removed). */
  positionals: string[];
}

/** Splits a shell line into words (quotes respected, and kept out of the words). */
function words(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let quote: string | undefined;
  let inWord = false;
  for (const c of line) {
    if (quote) { if (c === quote) quote = undefined; else word += c; continue; }
    if (c === '"' || c === "'") { quote = c; inWord = true; continue; }
    if (/\s/.test(c)) { if (inWord) out.push(word); word = ''; inWord = false; continue; }
    word += c;
    inWord = true;
  }
  if (inWord) out.push(word);
  return out;
}

/** The line without its comment (`#` at the start of a word, outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** Words that may come before the program: `npx`, `sudo`, `time`, `VAR=value`. */
const PREFIX = /^(npx|sudo|time|exec|[A-Z_][A-Z0-9_]*=.*)$/;

/** The `fer-cnn-lstm …` (or `node dist/cli.cjs …`) calls of a shell snippet. */
export function cliInvocations(code: string): CliInvocation[] {
  const out: CliInvocation[] = [];
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let line = stripComment(lines[i]);
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + stripComment(lines[++i]);
    // split into pipeline / list segments at |, ||, &&, ; outside [ ] (synopses write [--tta | --no-tta])
    const segments: string[][] = [[]];
    let depth = 0;
    for (const w of words(line)) {
      if (depth === 0 && ['|', '||', '&&', ';'].includes(w)) { segments.push([]); continue; }
      depth += (w.match(/\[/g)?.length ?? 0) - (w.match(/\]/g)?.length ?? 0);
      segments.at(-1)!.push(w);
    }
    for (const seg of segments) {
      let k = 0;
      while (k < seg.length && PREFIX.test(seg[k])) k++;
      if (seg[k] === 'fer-cnn-lstm') k += 1;
      else if (seg[k] === 'node' && /(^|\/)dist\/cli\.cjs$/.test(seg[k + 1] ?? '')) k += 2;
      else continue;
      const args: string[] = [];
      for (let j = k; j < seg.length; j++) {
        if (/^\d*[<>]/.test(seg[j]) && !/^<[^>]+>$/.test(seg[j])) { if (/^\d*[<>]&?$/.test(seg[j])) j++; continue; } // redirections
        args.push(seg[j]);
      }
      const clean = (a: string) => a.replace(/^\[+/, '').replace(/\]+$/, '');
      const command = args.length > 0 && !clean(args[0]).startsWith('-') ? clean(args[0]) : undefined;
      const rest = command === undefined ? args : args.slice(1);
      const options = rest.map(clean).filter((a) => /^--?[A-Za-z]/.test(a)).map((a) => a.replace(/=.*$/, ''));
      const firstOption = rest.findIndex((a) => clean(a).startsWith('-'));
      const positionals = rest.slice(0, firstOption < 0 ? rest.length : firstOption).map(clean).filter((a) => a !== '');
      out.push({ line: first + 1, command, options, positionals: command === undefined ? [] : positionals });
    }
  }
  return out;
}
