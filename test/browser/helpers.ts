/**
 * Helpers of the browser example's test: building it with Vite, serving the build, measuring it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';

/**
 * The weights the browser tests embed: the shipped `weights/float16/` (what the example embeds by
 * default), else `weights/` — when Node can load them — else a tiny stand-in model saved in `tmp`
 * (`shipped: false`), so that the page is still checked against Node while the shipped weights are
 * missing or being replaced.
 */
export async function usableWeights(tmp: string): Promise<{ dir: string; shipped: boolean }> {
  const { buildCnnLstm, loadModel, saveModel, setBackend } = await import('../../src/index.js');
  await setBackend('wasm');
  const shipped = [join(REPO, 'weights', 'float16'), join(REPO, 'weights')].find((d) => existsSync(join(d, 'model.json')));
  if (shipped) {
    try {
      (await loadModel(shipped)).dispose();
      return { dir: shipped, shipped: true };
    } catch (e) {
      console.warn(`[browser] the shipped weights in ${shipped} do not load (${(e as Error).message.slice(0, 200)}); using a stand-in model`);
    }
  }
  const dir = join(tmp, 'standin');
  const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1 });
  await saveModel(model, dir, undefined, 'float16');
  model.dispose();
  return { dir, shipped: false };
}

/** The repository root. */
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Builds `examples/browser` into `outDir` with the Vite CLI in a child process (a clean
 * `NODE_ENV=production`, not vitest's), embedding the model in `weightsDir`.
 * @throws Error with Vite's output when the build fails.
 */
export function buildExample(outDir: string, weightsDir: string): Promise<void> {
  const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = [vite, 'build', 'examples/browser', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      env: { ...process.env, NODE_ENV: 'production', FER_EXAMPLE_WEIGHTS: weightsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    child.on('error', fail);
    child.on('close', (code) => code === 0 ? done() : fail(new Error(`vite build exited with ${code}:\n${log.slice(-4000)}`)));
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
};

/** A static file server for `root` on 127.0.0.1 (random port); resolves to it and its base URL. */
export async function serveStatic(root: string): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = resolve(root, '.' + (path.endsWith('/') ? path + 'index.html' : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the static server has no port');
  return { server, url: `http://127.0.0.1:${address.port}/`, requests };
}

/** Sizes of a build, in bytes. */
export interface BundleSizes {
  /** JavaScript, raw and gzipped (level 9), all chunks. */
  js: { raw: number; gzip: number; files: number };
  /** Each wasm binary (the browser downloads one of them). */
  wasm: Record<string, number>;
  /** The embedded model: `weights/` (model.json and its weight files). */
  weights: number;
  /** Everything else (index.html, the sample photos). */
  other: number;
  /** Every file of the build. */
  total: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
}

/** Measures a build folder. */
export function bundleSizes(dir: string): BundleSizes {
  const sizes: BundleSizes = { js: { raw: 0, gzip: 0, files: 0 }, wasm: {}, weights: 0, other: 0, total: 0 };
  for (const file of walk(dir)) {
    const size = statSync(file).size;
    const rel = relative(dir, file).split(sep).join('/');
    sizes.total += size;
    if (rel.startsWith('weights/')) sizes.weights += size;
    else if (rel.endsWith('.wasm')) sizes.wasm[rel.replace(/^.*\/|-[\w-]{8}\.wasm$/g, '') || rel] = size;
    else if (rel.endsWith('.js')) {
      sizes.js.raw += size;
      sizes.js.gzip += gzipSync(readFileSync(file), { level: 9 }).length;
      sizes.js.files++;
    } else sizes.other += size;
  }
  return sizes;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** A one-paragraph summary of {@link bundleSizes}. */
export function formatSizes(s: BundleSizes): string {
  const wasm = Object.entries(s.wasm).map(([name, n]) => `${name} ${kb(n)}`).join(', ');
  return [
    `JS ${kb(s.js.raw)} raw / ${kb(s.js.gzip)} gzip (${s.js.files} files)`,
    `wasm: ${wasm} (one is downloaded)`,
    `weights ${kb(s.weights)}`,
    `other ${kb(s.other)}`,
    `total on disk ${kb(s.total)}`,
  ].join('; ');
}

/** Total size of the distinct files of `dir` that were requested (paths as the server saw them), by kind. */
export function requestedSizes(dir: string, requests: readonly string[]): string {
  const sum = { js: 0, wasm: 0, weights: 0, other: 0 };
  for (const path of new Set(requests)) {
    const file = join(dir, path.endsWith('/') ? path + 'index.html' : path);
    let size: number;
    try { size = statSync(file).size; } catch { continue; }
    const kind = path.startsWith('/weights/') ? 'weights' : path.endsWith('.wasm') ? 'wasm' : path.endsWith('.js') ? 'js' : 'other';
    sum[kind] += size;
  }
  const total = sum.js + sum.wasm + sum.weights + sum.other;
  return `${kb(total)} (JS ${kb(sum.js)}, wasm ${kb(sum.wasm)}, weights ${kb(sum.weights)}, html and images ${kb(sum.other)}), uncompressed`;
}

/**
 * Writes a one-frame Y4M video (4:2:0, BT.601) of the PNG `pngPath`, for Chromium's
 * `--use-file-for-fake-video-capture` (which loops it): a webcam that sees that picture.
 */
export function writeY4m(pngPath: string, outPath: string): { width: number; height: number } {
  const png = PNG.sync.read(readFileSync(pngPath));
  const width = png.width & ~1;
  const height = png.height & ~1;
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc(u.length);
  const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = 4 * (r * png.width + c);
      const [R, G, B] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      y[r * width + c] = clamp(16 + (65.738 * R + 129.057 * G + 25.064 * B) / 256);
      if (r % 2 === 0 && c % 2 === 0) {
        const k = (r / 2) * (width / 2) + c / 2;
        u[k] = clamp(128 + (-37.945 * R - 74.494 * G + 112.439 * B) / 256);
        v[k] = clamp(128 + (112.439 * R - 94.154 * G - 18.285 * B) / 256);
      }
    }
  }
  writeFileSync(outPath, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420\nFRAME\n`), y, u, v]));
  return { width, height };
}

/** Whether `playwright-core` is installed (a devDependency). */
export function hasPlaywright(): boolean {
  try {
    createRequire(import.meta.url).resolve('playwright-core');
    return true;
  } catch {
    return false;
  }
}
