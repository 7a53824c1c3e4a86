/**
 * README.md's TypeScript examples compile against the built package: every ```ts block becomes a
 * module of its own in a temp folder under .cache/ (inside the repository, so that `fer-cnn-lstm`
 * and its subpaths resolve to this package's dist/ types through its own "exports", and the other
 * packages to node_modules), and `tsc --noEmit` (strict) checks them all. The names that the
 * examples leave to the reader (`tensor`, `img`, `photo`, `bytes`, `connection`, …) are declared in
 * a shared ambient file, PRELUDE below. A block that is a fragment can be left out with the
 * comment `<!-- readme-check: skip -->` on the line before its fence.
 *
 * Errors are reported at their README line. Needs `npm run build` first (skipped with a message
 * otherwise).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from './browser/helpers.js';
import { missingBuild } from './consumer/consumer.js';

const run = promisify(execFile);
const SKIP_MARK = '<!-- readme-check: skip -->';

/** The free names of the README's examples: what a reader's own code would have at hand. */
const PRELUDE = `// the names README.md's examples leave to the reader
declare const tensor: import('@tensorflow/tfjs-core').Tensor3D;
declare const xs: import('@tensorflow/tfjs-core').Tensor4D;
declare const img: HTMLImageElement;
declare const photo: Uint8Array;
declare const bytes: Uint8Array;
declare const canvasOrBytes: HTMLCanvasElement | Uint8Array;
declare const connection: string;
// Vite's \`?url\` imports (the browser example)
declare module '*?url' {
  const url: string;
  export default url;
}
`;

/** One ```ts block of a markdown text. */
export interface CodeBlock {
  /** 1-based line of the block's first code line in the markdown file. */
  line: number;
  code: string;
  /** The block is marked with SKIP_MARK. */
  skipped: boolean;
}

/** The ```ts (or ```typescript) blocks of `markdown`, in order. */
export function tsBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    let prev = i - 1;
    while (prev >= 0 && lines[prev].trim() === '') prev--;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: a \`\`\`ts block is not closed`);
    blocks.push({ line: i + 2, code: lines.slice(i + 1, end).join('\n'), skipped: prev >= 0 && lines[prev].trim() === SKIP_MARK });
    i = end;
  }
  return blocks;
}

describe('tsBlocks (no build needed)', () => {
  it('finds ```ts blocks with their first line, and the skip mark before a fence', () => {
    const md = ['# x', '```ts', 'const a = 1;', '```', '', SKIP_MARK, '', '```ts', 'frag(', '```', '```sh', 'ls', '```'].join('\n');
    expect(tsBlocks(md)).toEqual([
      { line: 3, code: 'const a = 1;', skipped: false },
      { line: 9, code: 'frag(', skipped: true },
    ]);
  });
});

const noBuild = missingBuild();
if (noBuild) console.warn(`[readme code] skipped: ${noBuild}`);

describe.skipIf(noBuild !== undefined)(noBuild ? `README's TypeScript examples — SKIPPED: ${noBuild}` : "README's TypeScript examples", () => {
  it('every ```ts block of README.md typechecks (strict) against the built package', async () => {
    const blocks = tsBlocks(readFileSync(join(REPO, 'README.md'), 'utf8'));
    const checked = blocks.filter((b) => !b.skipped);
    expect(checked.length).toBeGreaterThanOrEqual(5);
    mkdirSync(join(REPO, '.cache'), { recursive: true });
    const dir = mkdtempSync(join(REPO, '.cache', 'readme-ts-'));
    try {
      writeFileSync(join(dir, 'prelude.d.ts'), PRELUDE);
      const files = checked.map((b) => {
        const name = `readme-line-${b.line}.ts`;
        // `export {}` keeps a block without imports a module of its own
        writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
        return name;
      });
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler',
          lib: ['es2022', 'dom', 'dom.iterable'], types: ['node'], skipLibCheck: true,
        },
        files: ['prelude.d.ts', ...files],
      }));
      let output = '';
      try {
        await run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, maxBuffer: 64 << 20 });
      } catch (e) {
        const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
        output = `${stdout}${stderr}`;
      }
      // errors at their README line: readme-line-<first>.ts(<line>,<col>) → README.md:<first + line - 1>
      const located = output.replace(/readme-line-(\d+)\.ts\((\d+),(\d+)\)/g, (_, first, l, c) => `README.md:${Number(first) + Number(l) - 1}:${c}`);
      expect(located.trim()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
