/**
 * Helpers of the consumer tests: the package as `npm pack` makes it, installed into a throw-away
 * app in a temp folder — the tarball extracted as `node_modules/fer-cnn-lstm` (what `npm install
 * <tarball>` does with it), its dependencies linked from this repository's `node_modules` (no
 * network, no registry: fast and offline).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../browser/helpers.js';

const run = promisify(execFile);

/** One file of `npm pack --json`. */
export interface PackedFile {
  path: string;
  size: number;
}

/** What `npm pack --json` reports. */
export interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

/** Why the consumer tests cannot run here (no build to pack), or undefined. */
export function missingBuild(): string | undefined {
  return existsSync(join(REPO, 'dist', 'index.browser.js')) && existsSync(join(REPO, 'dist', 'index.js'))
    ? undefined : 'dist/ is not built (npm run build)';
}

/**
 * `npm pack` of the repository (scripts ignored): with `dryRun`, only the report; else the
 * tarball is written to `destination`.
 */
export async function npmPack(options: { dryRun: true } | { destination: string }): Promise<PackResult> {
  const args = ['pack', '--json', '--ignore-scripts', '--silent'];
  if ('dryRun' in options) args.push('--dry-run');
  else args.push('--pack-destination', options.destination);
  const { stdout } = await run('npm', args, { cwd: REPO, maxBuffer: 64 << 20, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  const [result] = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackResult[];
  return result;
}

/**
 * Installs `tarball` into `appDir`: extracted to `node_modules/fer-cnn-lstm`, and each of its
 * dependencies (plus `extra`) symlinked from the repository's `node_modules`.
 * @returns The installed package's package.json.
 */
export async function installTarball(tarball: string, appDir: string, extra: readonly string[] = []): Promise<{ dependencies?: Record<string, string> }> {
  const target = join(appDir, 'node_modules', 'fer-cnn-lstm');
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of new Set([...Object.keys(pkg.dependencies ?? {}), ...extra])) {
    const from = join(REPO, 'node_modules', name);
    if (!existsSync(from)) throw new Error(`${name} (a dependency of the packed package) is not in ${join(REPO, 'node_modules')} (npm ci)`);
    const link = join(appDir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(from, link, 'dir');
  }
  return pkg;
}

/**
 * Runs the repository's Vite (`vite build`, the default config: the app has no config file) in
 * `appDir`, in a child process with `NODE_ENV=production`.
 * @returns Vite's output (stdout and stderr).
 * @throws Error with that output when the build fails.
 */
export async function viteBuild(appDir: string): Promise<string> {
  const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  try {
    const { stdout, stderr } = await run(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: appDir, maxBuffer: 64 << 20, env: { ...process.env, NODE_ENV: 'production' },
    });
    return `${stdout}${stderr}`;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`vite build failed in ${appDir}:\n${`${stdout}${stderr}`.slice(-4000)}`);
  }
}

/**
 * The warnings in Vite's output (`--logLevel warn` prints only warnings and errors), less the
 * size advisory that every TensorFlow.js app gets ("Some chunks are larger than 500 kB"), which
 * is about the app's chunking, not this package.
 */
export function viteWarnings(output: string): string[] {
  const advisory = /Some chunks are larger than|^- Using dynamic import|^- Use build\.rollupOptions\.output\.manualChunks|^- Adjust chunk size limit/;
  return output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter((l) => l && !advisory.test(l));
}

/** What the consumer apps' page reports in `document.body.dataset.result`. */
export interface PageResult {
  backend: string;
  emotion: string;
  confidence: number;
  scores: Record<string, number>;
}

/**
 * The consumer page's script after its imports (`classifyEmotion` and `setBackend` from
 * `fer-cnn-lstm`): classifies `face.png` with `weights/model.json` on `backend` and reports the
 * {@link PageResult} (or the error) in `document.body.dataset`, which {@link runInChromium} reads.
 */
export function pageMain(backend: 'wasm' | 'cpu'): string {
  return `async function main() {
  const backend = await setBackend('${backend}');
  const bytes = new Uint8Array(await (await fetch('face.png')).arrayBuffer());
  const weights = new URL('weights/model.json', document.baseURI).href;
  const { emotion, confidence, scores } = await classifyEmotion(bytes, { weights, backend });
  document.body.dataset.result = JSON.stringify({ backend, emotion, confidence, scores });
}
main().catch((e) => { document.body.dataset.error = String(e && e.stack || e); });
`;
}

/**
 * Serves `distDir` on 127.0.0.1, opens it in headless Chromium (`executablePath`; nothing but the
 * local server reachable) and waits for the page to set `document.body.dataset.result` (or
 * `.error`); `options.args` are more Chromium switches (e.g. a fake webcam).
 * @throws Error with the page's error, or its console errors.
 */
export async function runInChromium<T = PageResult>(distDir: string, executablePath: string, profileDir: string, options: { args?: string[] } = {}): Promise<T> {
  const { serveStatic } = await import('../browser/helpers.js');
  const { chromium } = await import('playwright-core');
  const served = await serveStatic(distDir);
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(options.args ?? [])],
  });
  const errors: string[] = [];
  try {
    context.setDefaultTimeout(90_000);
    const page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await context.route((url) => !url.href.startsWith(served.url), (route) => {
      errors.push(`request outside the build: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(served.url);
    await page.waitForFunction(() => document.body.dataset.result !== undefined || document.body.dataset.error !== undefined);
    const error = await page.getAttribute('body', 'data-error');
    if (error !== null) throw new Error(`the page failed: ${error}\n${errors.join('\n')}`);
    if (errors.length) throw new Error(`the page logged errors:\n${errors.join('\n')}`);
    return JSON.parse((await page.getAttribute('body', 'data-result'))!) as T;
  } finally {
    await context.close();
    await new Promise((r) => served.server.close(r));
  }
}
