/**
 * Every code block of README.md and the guides under docs/ is checked (docs/experiments.md, the
 * lab notebook, is not):
 *
 * - ```ts / ```js blocks are typechecked, all in one `tsc --noEmit`, each as its own module, with
 *   `fer-cnn-lstm` and its subpaths mapped to the entry files under src/ (the project's compiler
 *   settings: ES2022, ESNext modules, strict; DOM types for browser snippets, Vite's for `?url`);
 * - ```sh blocks: every `fer-cnn-lstm …` (or `node dist/cli.cjs …`) names a real command, and
 *   every option it gives is one that command's `--help` lists.
 *
 * A block that is a fragment and cannot be checked is marked with `<!-- not-checked: reason -->`
 * on the line before its fence.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../cli/run-cli.js';
import { codeBlocks, docFiles, read, ROOT, type CodeBlock } from './markdown.js';
import { cliInvocations, parseHelp, type CliHelp } from './cli-help.js';

/** Not checked: the lab notebook keeps commands as they were run, some of them long gone. */
const EXCLUDED = new Set(['docs/experiments.md']);
const TS_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'tsx']);
const SH_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

const blocks: CodeBlock[] = docFiles().filter((f) => !EXCLUDED.has(f)).flatMap((f) => codeBlocks(f, read(f)));
const where = (b: CodeBlock) => `${b.file}:${b.line}`;

/** `fer-cnn-lstm` and its subpaths (package.json "exports") → the entry files under src/. */
function entryPaths(): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const paths: Record<string, string[]> = {};
  for (const key of Object.keys(pkg.exports)) {
    if (key === './package.json') continue;
    const file = key === '.' ? 'src/index.ts' : `src/${key.slice(2)}.ts`; // the entry files tsup builds (tsup.config.ts)
    if (!existsSync(join(ROOT, file))) throw new Error(`package.json exports ${key}, but ${file} does not exist`);
    paths[key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`] = [join(ROOT, file)];
  }
  return paths;
}

describe('code blocks of README.md and docs/', () => {
  it('are all fenced with a language, and the check finds them', () => {
    const bare = blocks.filter((b) => b.lang === '' && !b.notChecked).map(where);
    expect(bare, 'a fence without a language (```ts, ```sh, ```text, …)').toEqual([]);
    expect(blocks.filter((b) => TS_LANGS.has(b.lang)).length).toBeGreaterThanOrEqual(10);
    expect(blocks.filter((b) => SH_LANGS.has(b.lang)).length).toBeGreaterThanOrEqual(10);
  });

  describe('TypeScript and JavaScript', () => {
    const scratch = join(ROOT, '.cache');
    mkdirSync(scratch, { recursive: true });
    const dir = mkdtempSync(join(scratch, 'doc-blocks-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('typecheck against the sources (one tsc over all of them)', async () => {
      const ts = blocks.filter((b) => TS_LANGS.has(b.lang) && !b.notChecked);
      const names = new Map<string, CodeBlock>();
      for (const b of ts) {
        const name = `${b.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${b.line}.ts`;
        names.set(name, b);
        // `export {}` makes each block a module: top-level await, and no name clashes between blocks
        writeFileSync(join(dir, name), `${b.code}\nexport {};\n`);
      }
      writeFileSync(join(dir, 'env.d.ts'), '/// <reference types="vite/client" />\n');
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
          strict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true, resolveJsonModule: true,
          isolatedModules: true, allowJs: true, checkJs: true,
          paths: entryPaths(),
        },
        files: ['env.d.ts', ...names.keys()],
      }, null, 2));
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const out = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir, maxBuffer: 1 << 26 })
        .then(() => '', (e: { stdout?: string; stderr?: string; message: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message);
      // report each error at its line in the Markdown file
      const errors = out.split('\n').filter((l) => l.trim() !== '').map((line) => {
        const m = /^(?:.*[\\/])?([^\\/(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
        const b = m ? names.get(m[1]) : undefined;
        return b && m ? `${b.file}:${b.line + Number(m[2])}: ${m[4]}` : line;
      });
      expect(errors).toEqual([]);
    }, 600_000);
  });

  describe('shell: fer-cnn-lstm commands and options', () => {
    const sh = blocks.filter((b) => SH_LANGS.has(b.lang) && !b.notChecked);
    const helps = new Map<string, Promise<CliHelp>>();
    const help = (command: string): Promise<CliHelp> => {
      if (!helps.has(command)) {
        helps.set(command, runCli(command === '' ? ['--help'] : [command, '--help']).then((r) => {
          if (r.code !== 0) throw new Error(`fer-cnn-lstm ${command} --help exited ${r.code}: ${r.stderr}`);
          return parseHelp(r.stdout);
        }));
      }
      return helps.get(command)!;
    };

    it('name real commands and the options their --help lists', async () => {
      const main = await help('');
      expect(main.commands.length, 'commands listed by fer-cnn-lstm --help').toBeGreaterThanOrEqual(5);
      const problems: string[] = [];
      let checked = 0;
      for (const b of sh) {
        for (const call of cliInvocations(b.code)) {
          checked++;
          const at = `${b.file}:${b.line + call.line}: fer-cnn-lstm ${call.command ?? ''}`.trimEnd();
          if (call.command === undefined) {
            for (const o of call.options) if (!main.options.includes(o)) problems.push(`${at}: ${o} is not an option of fer-cnn-lstm`);
            continue;
          }
          if (!main.commands.includes(call.command)) { problems.push(`${at}: no such command (fer-cnn-lstm --help lists ${main.commands.join(', ')})`); continue; }
          const h = await help(call.command);
          for (const o of call.options) if (!h.options.includes(o)) problems.push(`${at}: ${o} is not an option of "${call.command}" (its --help lists ${h.options.join(' ')})`);
          if (h.subcommands.length > 0 && call.positionals.length > 0) {
            const first = call.positionals[0];
            const alternatives = first.split('|');
            if (!alternatives.every((a) => h.subcommands.includes(a))) problems.push(`${at}: "${first}" is not one of ${h.subcommands.join(', ')}`);
          }
        }
      }
      expect(problems).toEqual([]);
      expect(checked, 'fer-cnn-lstm command lines found in the docs').toBeGreaterThanOrEqual(20);
    }, 300_000);
  });
});

describe('docs/cli.md, the CLI reference', () => {
  it('shows every command that fer-cnn-lstm --help lists', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const shown = new Set(codeBlocks('docs/cli.md', read('docs/cli.md')).filter((b) => SH_LANGS.has(b.lang))
      .flatMap((b) => cliInvocations(b.code)).map((c) => c.command));
    const missing = parseHelp(r.stdout).commands.filter((c) => !shown.has(c));
    expect(missing, 'commands without a line in docs/cli.md\'s command list').toEqual([]);
  }, 120_000);
});
