/**
 * Reading the user documentation (README.md and docs/**.md) for the docs tests: which files, their
 * fenced code blocks (with the language and the line they start on), and their links.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Folders under docs/ that are not hand-written guides: the generated API reference. */
const GENERATED = new Set(['api']);

/** README.md and every Markdown file under docs/ (the generated API reference excluded), as paths relative to the root. */
export function docFiles(): string[] {
  const out = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) { if (!(dir === 'docs' && GENERATED.has(entry.name))) walk(path); }
      else if (entry.name.endsWith('.md')) out.push(path);
    }
  };
  if (existsSync(join(ROOT, 'docs'))) walk('docs');
  return out;
}

/** One fenced code block. */
export interface CodeBlock {
  /** The file, relative to the root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word (`ts`, `sh`, …), lower case; '' when none. */
  lang: string;
  /** The block's text, without the fences. */
  code: string;
  /** The reason given by a `<!-- not-checked: reason -->` comment on the line before the fence ('skip' for `<!-- readme-check: skip -->`), if any. */
  notChecked?: string;
}

/** The fenced code blocks (``` or ~~~) of a Markdown text. Throws on a fence that is never closed. */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[i]); i++) body.push(lines[i].slice(open[1].length));
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: code fence ${fence} is never closed`);
    let prev = start - 1;
    while (prev >= 0 && lines[prev].trim() === '') prev--;
    // `<!-- readme-check: skip -->` is the older form of the mark (test/readme-code.test.ts)
    const marker = prev >= 0 ? /<!--\s*(?:not-checked:\s*(.*?)|readme-check:\s*(skip))\s*-->/.exec(lines[prev]) : null;
    blocks.push({ file, line: start + 1, lang: open[3].toLowerCase(), code: body.join('\n'), ...(marker ? { notChecked: marker[1] ?? marker[2] } : {}) });
  }
  return blocks;
}

/** The text without its fenced code blocks and HTML comments (each line kept, for line numbers). */
export function withoutCode(text: string): string {
  let fence: string | undefined;
  return text.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, '')).split('\n').map((line) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) { if (m && m[1][0] === fence[0] && m[1].length >= fence.length) fence = undefined; return ''; }
    if (m) { fence = m[1]; return ''; }
    return line;
  }).join('\n');
}

/** The text without its code (fenced blocks, inline code spans) and HTML comments. */
export function prose(text: string): string {
  return withoutCode(text).split('\n').map((line) => line.replace(/(`+)[^`][\s\S]*?\1/g, '')).join('\n');
}

/** One link or image of a Markdown text. */
export interface Link {
  file: string;
  line: number;
  target: string;
}

/** The inline links and images (`[text](target)`, `![alt](target)`) of a Markdown text, code excluded. */
export function links(file: string, text: string): Link[] {
  const out: Link[] = [];
  prose(text).split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ file, line: i + 1, target: m[1] });
  });
  return out;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a Markdown text's headings (repeated headings get -1, -2, … as on GitHub). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCode(text).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = headingSlug(m[1]);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

export function read(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8');
}

export function rel(path: string): string {
  return relative(ROOT, path);
}
