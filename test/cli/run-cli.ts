/**
 * Runs the `fer-cnn-lstm` CLI as a child process: the built `dist/cli.cjs` (the package.json bin) when it exists and is
 * newer than every file under `src/`, else the sources through tsx (`node --import tsx`).
 * `FER_CLI_FROM_SOURCE=1` forces the sources.
 */
import { afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

let chosen: string[] | undefined;

/** The node arguments that start the CLI (before its own arguments). */
export function cliEntry(): string[] {
  if (chosen) return chosen;
  const dist = join(ROOT, 'dist', 'cli.cjs');
  const fresh = process.env.FER_CLI_FROM_SOURCE !== '1' && existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(ROOT, 'src'));
  chosen = fresh ? [dist] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
  return chosen;
}

/**
 * Whether the CLI runs from the sources (`--import tsx`): then Node's own loader-hooks thread
 * runs the process's preloads, so a test about what worker threads inherit needs the build.
 */
export function cliFromSources(): boolean {
  return cliEntry()[0] === '--import';
}

/**
 * Writes `<dir>/not-in-workers.cjs`, a `--require` preload that throws in worker threads only:
 * with `nodeArgs: ['--require', it]`, a run fails if its workers inherit the parent's Node flags.
 */
export function preloadFailingInWorkers(dir: string): string {
  const file = join(dir, 'not-in-workers.cjs');
  writeFileSync(file, "if (!require('node:worker_threads').isMainThread) throw new Error('the parent\\'s --require ran in a worker');\n");
  return file;
}

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli} and {@link spawnCli}. */
export interface CliOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Node flags before the CLI's entry (`--require x.cjs`). */
  nodeArgs?: string[];
}

let cacheDir: string | undefined;

afterAll(() => {
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  cacheDir = undefined;
});

/** Starts the CLI without waiting for it (decoded-folder cache in a temp folder, not the user's). */
export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  cacheDir ??= mkdtempSync(join(tmpdir(), 'fer-cli-cache-'));
  return spawn(process.execPath, [...(options.nodeArgs ?? []), ...cliEntry(), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', FER_CNN_LSTM_CACHE: cacheDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a started CLI's output until it exits. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '', stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(spawnCli(args, options));
}

/** The non-empty lines of some output. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}
