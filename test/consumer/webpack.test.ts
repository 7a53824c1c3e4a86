/**
 * The package in a webpack 5 app (issue 13.5): `npm pack`, the tarball installed into a fresh app
 * in a temp folder, built by webpack with **no config at all** (its defaults: `src/index.js` →
 * `dist/main.js`, production mode, the `browser` export condition) — no errors, no warnings but
 * webpack's size hints — then run in Debian's headless Chromium, whose label for
 * `examples/images/astronaut-face.png` must equal Node's. The app uses the cpu backend (handing
 * webpack the wasm binaries is app configuration, which the Vite test covers).
 *
 * Needs `npm run build` first and the `webpack` devDependency (skipped with a message otherwise);
 * the browser part is skipped with a message when `/usr/bin/chromium` is missing.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, hasPlaywright, usableWeights } from '../browser/helpers.js';
import { installTarball, missingBuild, npmPack, pageMain, runInChromium } from './consumer.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IMAGE = join(REPO, 'examples', 'images', 'astronaut-face.png');

function hasWebpack(): boolean {
  try {
    createRequire(import.meta.url).resolve('webpack');
    return true;
  } catch {
    return false;
  }
}

const skip = missingBuild() ?? (hasWebpack() ? undefined : 'webpack is not installed (npm ci)');
const noBrowser = !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install -y chromium)`
  : !hasPlaywright() ? 'playwright-core is not installed (npm ci)' : undefined;
if (skip) console.warn(`[consumer webpack] skipped: ${skip}`);
else if (noBrowser) console.warn(`[consumer webpack] the Chromium run is skipped: ${noBrowser}`);

const INDEX_JS = `
import { classifyEmotion, setBackend } from 'fer-cnn-lstm';

${pageMain('cpu')}`;

/**
 * Runs webpack with an empty configuration (its defaults: `./src/index.js` → `./dist/main.js` of
 * the folder it runs in) in a child process whose working folder is `appDir`.
 */
async function webpackBuild(appDir: string): Promise<{ errors: string[]; warnings: string[] }> {
  const script = `
    const webpack = require(${JSON.stringify(createRequire(import.meta.url).resolve('webpack'))});
    webpack({}, (e, stats) => {
      if (e) { console.error(e.stack || e); process.exit(2); }
      const j = stats.toJson({ all: false, errors: true, warnings: true, moduleTrace: false, errorDetails: false });
      const text = (l) => (l || []).map((w) => (w.moduleName ? w.moduleName + ': ' : '') + w.message);
      console.log(JSON.stringify({ errors: text(j.errors), warnings: text(j.warnings) }));
    });`;
  const { execFile } = await import('node:child_process');
  const stdout = await new Promise<string>((ok, fail) => execFile(process.execPath, ['-e', script], {
    cwd: appDir, maxBuffer: 64 << 20, env: { ...process.env, NODE_ENV: 'production' },
  }, (e, out, err) => e ? fail(new Error(`webpack failed: ${e.message}\n${err}`)) : ok(out)));
  return JSON.parse(stdout.trim().split('\n').pop()!) as { errors: string[]; warnings: string[] };
}

/**
 * webpack's advice about the app, not about this package: big bundles (every TensorFlow.js app
 * gets it) and, with no config at all, that `mode` was not set.
 */
const SIZE_HINTS = /size limit|exceeds? the recommended|performance recommendations|The 'mode' option has not been set/;

describe.skipIf(skip !== undefined)(skip ? `consumer webpack app — SKIPPED: ${skip}` : 'a fresh webpack app (no config) that installs the packed tarball', () => {
  let tmp: string;
  let app: string;
  let weightsDir: string;
  let stats: { errors: string[]; warnings: string[] };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fer-consumer-webpack-'));
    const packed = await npmPack({ destination: tmp });
    app = join(tmp, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-webpack-app', private: true }, null, 2));
    await installTarball(join(tmp, packed.filename), app);
    writeFileSync(join(app, 'src', 'index.js'), INDEX_JS);
    const usable = await usableWeights(tmp);
    weightsDir = usable.shipped ? join(app, 'node_modules', 'fer-cnn-lstm', 'weights', 'float16') : usable.dir;

    const t0 = performance.now();
    stats = await webpackBuild(app);
    console.log(`[consumer webpack] webpack build ${((performance.now() - t0) / 1000).toFixed(1)} s; `
      + `${stats.errors.length} errors, ${stats.warnings.length} warnings (${stats.warnings.filter((w) => SIZE_HINTS.test(w)).length} size hints)`);

    const dist = join(app, 'dist');
    writeFileSync(join(dist, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script src="main.js"></script></body></html>\n');
    cpSync(IMAGE, join(dist, 'face.png'));
    cpSync(weightsDir, join(dist, 'weights'), { recursive: true });
    // and the face detector beside them (a 130×130 image is a photo: its face is found first)
    cpSync(join(app, 'node_modules', 'fer-cnn-lstm', 'weights', 'face-detector'), join(dist, 'weights', 'face-detector'), { recursive: true });
  }, 300_000); // a webpack build of TensorFlow.js: tens of seconds, more on a loaded machine

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('builds with no config, without errors or warnings about the package', () => {
    expect(stats.errors).toEqual([]);
    expect(stats.warnings.filter((w) => !SIZE_HINTS.test(w))).toEqual([]);
    expect(existsSync(join(app, 'dist', 'main.js'))).toBe(true);
  });

  it.skipIf(noBrowser !== undefined)(noBrowser ? `in Chromium — SKIPPED: ${noBrowser}` : 'predicts in headless Chromium the label that Node predicts', async () => {
    const { classifyEmotion, setBackend } = await import('../../src/index.js');
    await setBackend('wasm');
    const expected = await classifyEmotion(IMAGE, { weights: weightsDir, backend: 'wasm' });
    const got = await runInChromium(join(app, 'dist'), CHROMIUM, join(tmp, 'profile'));
    console.log(`[consumer webpack] Node: ${expected.emotion} (${(100 * expected.confidence).toFixed(1)} %, wasm); Chromium: ${got.emotion} (${(100 * got.confidence).toFixed(1)} %, ${got.backend})`);
    expect(got.backend).toBe('cpu');
    expect(got.emotion).toBe(expected.emotion);
    for (const [name, p] of Object.entries(expected.scores)) expect(got.scores[name], name).toBeCloseTo(p as number, 3);
  });
});
