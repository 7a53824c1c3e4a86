/**
 * The package as a browser app gets it (issue 13.5): `npm pack`, the tarball installed into a
 * fresh Vite app in a temp folder with the **default Vite config** (no config file), `vite build`
 * — which must succeed without warnings about the package (no Node built-ins, no
 * `shimMissingExports`) — then the build served on 127.0.0.1 and run in Debian's headless
 * Chromium, whose label for `examples/images/astronaut-face.png` must equal Node's.
 *
 * The app is what the README tells an app to do: import from `fer-cnn-lstm`, hand the wasm
 * binaries to `setWasmPaths` (imported with `?url`), copy the package's `weights/float16/` to
 * `public/weights/` and pass its URL as `weights`.
 *
 * Needs `npm run build` first (skipped with a message otherwise); the browser part is skipped
 * with a message when `/usr/bin/chromium` is missing (`CHROMIUM_PATH` overrides).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, hasPlaywright, usableWeights } from '../browser/helpers.js';
import { installTarball, missingBuild, npmPack, pageMain, runInChromium, viteBuild, viteWarnings } from './consumer.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IMAGE = join(REPO, 'examples', 'images', 'astronaut-face.png');

const noBuild = missingBuild();
const noBrowser = !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install -y chromium)`
  : !hasPlaywright() ? 'playwright-core is not installed (npm ci)' : undefined;
if (noBuild) console.warn(`[consumer vite] skipped: ${noBuild}`);
else if (noBrowser) console.warn(`[consumer vite] the Chromium run is skipped: ${noBrowser}`);

const MAIN_JS = `
import { classifyEmotion, setBackend } from 'fer-cnn-lstm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

${pageMain('wasm')}`;

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>consumer</title></head>
<body><script type="module" src="./main.js"></script></body></html>
`;

describe.skipIf(noBuild !== undefined)(noBuild ? `consumer Vite app — SKIPPED: ${noBuild}` : 'a fresh Vite app that installs the packed tarball', () => {
  let tmp: string;
  let app: string;
  let weightsDir: string;
  let buildOutput: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fer-consumer-vite-'));
    const packed = await npmPack({ destination: tmp });
    app = join(tmp, 'app');
    mkdirSync(join(app, 'public'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }, null, 2));
    await installTarball(join(tmp, packed.filename), app, ['@tensorflow/tfjs-backend-wasm']);
    writeFileSync(join(app, 'index.html'), INDEX_HTML);
    writeFileSync(join(app, 'main.js'), MAIN_JS);
    cpSync(IMAGE, join(app, 'public', 'face.png'));
    // the README's recipe: the package's float16 weights as static assets (a stand-in while those do not load)
    const usable = await usableWeights(tmp);
    weightsDir = usable.shipped ? join(app, 'node_modules', 'fer-cnn-lstm', 'weights', 'float16') : usable.dir;
    cpSync(weightsDir, join(app, 'public', 'weights'), { recursive: true });
    // and the face detector beside them (a 130×130 image is a photo: its face is found first)
    cpSync(join(app, 'node_modules', 'fer-cnn-lstm', 'weights', 'face-detector'), join(app, 'public', 'weights', 'face-detector'), { recursive: true });
    const t0 = performance.now();
    buildOutput = await viteBuild(app);
    console.log(`[consumer vite] ${packed.filename} (${(packed.size / 1e6).toFixed(2)} MB) installed; vite build ${((performance.now() - t0) / 1000).toFixed(1)} s`
      + `; weights: ${usable.shipped ? 'the package\'s weights/float16' : 'stand-in (the shipped weights do not load)'}`);
  }, 300_000); // a Vite build: ~30 s, several times that on a loaded machine

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('builds with the default Vite config and no warnings about the package', () => {
    const warnings = viteWarnings(buildOutput);
    expect(warnings, buildOutput).toEqual([]);
    const js = readFileSync(join(app, 'dist', 'index.html'), 'utf8');
    expect(js).toMatch(/<script type="module"[^>]*src="[^"]*assets\/index-[\w-]+\.js"/);
  });

  it('resolves the browser build (no Node built-ins reach the bundle)', () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'fer-cnn-lstm', 'package.json'), 'utf8')) as { exports: Record<string, { browser?: { default: string } }> };
    const entry = installed.exports['.'].browser?.default;
    expect(entry).toBe('./dist/index.browser.js');
    expect(existsSync(join(app, 'node_modules', 'fer-cnn-lstm', entry!))).toBe(true);
    expect(buildOutput).not.toMatch(/externalized for browser compatibility|__vite-browser-external|is not exported by/);
  });

  it('every subpath loads in Node from the installed package, with import and with require', async () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'fer-cnn-lstm', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const specs = Object.keys(installed.exports).filter((k) => k !== './package.json').map((k) => k === '.' ? 'fer-cnn-lstm' : `fer-cnn-lstm/${k.slice(2)}`);
    const script = `
      const { createRequire } = await import('node:module');
      const require = createRequire(process.cwd() + '/');
      const out = {};
      for (const spec of ${JSON.stringify(specs)}) {
        out[spec] = { import: Object.keys(await import(spec)).length, require: Object.keys(require(spec)).length };
      }
      console.log(JSON.stringify(out));`;
    const { execFile } = await import('node:child_process');
    const stdout = await new Promise<string>((ok, fail) => execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: app },
      (e, out, err) => e ? fail(new Error(`${e.message}\n${err}`)) : ok(out)));
    const counts = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, { import: number; require: number }>;
    expect(Object.keys(counts).sort()).toEqual([...specs].sort());
    for (const [spec, n] of Object.entries(counts)) {
      expect(n.import, spec).toBeGreaterThan(0);
      expect(n.require, spec).toBe(n.import);
    }
  });

  describe.skipIf(noBrowser !== undefined)(noBrowser ? `in Chromium — SKIPPED: ${noBrowser}` : 'in headless Chromium', () => {
    it('predicts the label that Node predicts for examples/images/astronaut-face.png', async () => {
      const { classifyEmotion, setBackend } = await import('../../src/index.js');
      await setBackend('wasm');
      const expected = await classifyEmotion(IMAGE, { weights: weightsDir, backend: 'wasm' });

      const got = await runInChromium(join(app, 'dist'), CHROMIUM!, join(tmp, 'profile'));
      console.log(`[consumer vite] Node: ${expected.emotion} (${(100 * expected.confidence).toFixed(1)} %); Chromium: ${got.emotion} (${(100 * got.confidence).toFixed(1)} %, ${got.backend})`);
      expect(got.backend).toBe('wasm');
      expect(got.emotion).toBe(expected.emotion);
      for (const [name, p] of Object.entries(expected.scores)) expect(got.scores[name], name).toBeCloseTo(p as number, 3);
    });
  });
});
