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
 * A second app is the README's webcam block (the `ts` block under "## Webcam"), taken from
 * README.md as it stands, as its `main.ts`, with the weights copied where the README says; Chromium's
 * fake webcam plays a Y4M file made from `examples/images/astronaut.png`, and the page must draw a
 * box and label on the portrait's face (a few lines appended to the block compare the canvas with
 * the bare video frame).
 *
 * Needs `npm run build` first (skipped with a message otherwise); the browser part is skipped
 * with a message when `/usr/bin/chromium` is missing (`CHROMIUM_PATH` overrides).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, hasPlaywright, usableWeights } from '../browser/helpers.js';
import { decodeImage } from '../../src/data/decode.js';
import { codeBlocks } from '../docs/markdown.js';
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

/** The README's webcam block, as it stands. */
function readmeWebcamBlock(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.indexOf('\n## Webcam');
  const block = codeBlocks('README.md', readme).find((b) => b.lang === 'ts' && readme.split('\n').slice(0, b.line).join('\n').length > section);
  if (section < 0 || !block) throw new Error('README.md has no ts block under "## Webcam"');
  return block.code;
}

/**
 * Appended to the README's block (it reaches its `video`, `canvas` and `watch`): once the canvas
 * shows a frame, compares it with the bare video frame; the pixels that differ are what
 * `drawEmotions` drew. Reports their bounding box, or an error after 60 s without any.
 */
const WEBCAM_HARNESS = `
// ---- test harness, not part of the README's block ----
{
  const started = performance.now();
  const check = () => {
    const w = canvas.width, h = canvas.height;
    const drawn = canvas.getContext('2d')!.getImageData(0, 0, w, h).data;
    const bare = document.createElement('canvas');
    bare.width = w; bare.height = h;
    const ctx = bare.getContext('2d')!;
    ctx.drawImage(video, 0, 0);
    const frame = ctx.getImageData(0, 0, w, h).data;
    let n = 0, x0 = w, y0 = h, x1 = -1, y1 = -1;
    if (drawn[3] > 0) {
      for (let i = 0; i < w * h; i++) {
        if (Math.abs(drawn[4 * i] - frame[4 * i]) + Math.abs(drawn[4 * i + 1] - frame[4 * i + 1]) + Math.abs(drawn[4 * i + 2] - frame[4 * i + 2]) > 90) {
          n++;
          const x = i % w, y = (i - x) / w;
          x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
        }
      }
    }
    if (n > 300) {
      watch.stop();
      document.body.dataset.result = JSON.stringify({ width: w, height: h, changed: n, drawn: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } });
    } else if (performance.now() - started > 60_000) {
      document.body.dataset.error = 'no box drawn on the webcam frame within 60 s (' + w + '×' + h + ')';
    } else {
      setTimeout(check, 250);
    }
  };
  check();
  // watching stops on an error (logged by watchFaces): fail at once
  watch.done.then(() => { if (!document.body.dataset.result) document.body.dataset.error = 'watchFaces stopped before a box was drawn'; });
}
`;

const WEBCAM_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>webcam</title></head>
<body><video muted playsinline></video><canvas></canvas><script type="module" src="./main.ts"></script></body></html>
`;

/** A Y4M video (4:2:0, full-range BT.601) of `frames` copies of an RGBA image: Chromium's fake webcam plays it in a loop. */
function y4m(img: { width: number; height: number; channels: number; data: Uint8Array | Uint8ClampedArray }, frames: number): Buffer {
  const { width: w, height: h, channels: c, data } = img;
  const y = new Uint8Array(w * h), u = new Uint8Array((w / 2) * (h / 2)), v = new Uint8Array((w / 2) * (h / 2));
  const rgb = (i: number): [number, number, number] => (c >= 3 ? [data[i * c], data[i * c + 1], data[i * c + 2]] : [data[i * c], data[i * c], data[i * c]]);
  for (let i = 0; i < w * h; i++) {
    const [r, g, b] = rgb(i);
    y[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  for (let j = 0; j < h / 2; j++) {
    for (let i = 0; i < w / 2; i++) {
      const [r, g, b] = rgb(2 * j * w + 2 * i);
      u[j * (w / 2) + i] = Math.max(0, Math.min(255, Math.round(-0.168736 * r - 0.331264 * g + 0.5 * b + 128)));
      v[j * (w / 2) + i] = Math.max(0, Math.min(255, Math.round(0.5 * r - 0.418688 * g - 0.081312 * b + 128)));
    }
  }
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < frames; f++) parts.push(Buffer.from('FRAME\n'), Buffer.from(y), Buffer.from(u), Buffer.from(v));
  return Buffer.concat(parts);
}

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

    it("runs the README's webcam block as it stands: a box drawn on the face of a fake webcam's portrait", async () => {
      // a second app: the same installed package, the README's block as main.ts, the weights where the README says
      const webcam = join(tmp, 'webcam');
      mkdirSync(join(webcam, 'public'), { recursive: true });
      cpSync(join(app, 'package.json'), join(webcam, 'package.json'));
      cpSync(join(app, 'node_modules'), join(webcam, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      cpSync(weightsDir, join(webcam, 'public', 'weights'), { recursive: true });
      cpSync(join(app, 'node_modules', 'fer-cnn-lstm', 'weights', 'face-detector'), join(webcam, 'public', 'weights', 'face-detector'), { recursive: true });
      writeFileSync(join(webcam, 'index.html'), WEBCAM_HTML);
      writeFileSync(join(webcam, 'main.ts'), readmeWebcamBlock() + WEBCAM_HARNESS);
      const output = await viteBuild(webcam);
      expect(viteWarnings(output), output).toEqual([]);
      const portrait = decodeImage(readFileSync(join(REPO, 'examples', 'images', 'astronaut.png')));
      const video = join(tmp, 'portrait.y4m');
      writeFileSync(video, y4m(portrait, 10));
      const got = await runInChromium<{ width: number; height: number; changed: number; drawn: { x: number; y: number; width: number; height: number } }>(
        join(webcam, 'dist'), CHROMIUM!, join(tmp, 'profile-webcam'),
        { args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`] });
      console.log(`[consumer vite] README webcam block: ${got.width}×${got.height} frame, drawn ${JSON.stringify(got.drawn)} (${got.changed} pixels)`);
      // what was drawn covers the portrait's face (its FER crop: x 162–291, y 62–191, in a 512×512 frame) and not much more
      const sx = got.width / portrait.width, sy = got.height / portrait.height;
      const [cx, cy] = [227 * sx, 127 * sy];
      expect(got.drawn.x).toBeLessThan(cx);
      expect(got.drawn.x + got.drawn.width).toBeGreaterThan(cx);
      expect(got.drawn.y).toBeLessThan(cy);
      expect(got.drawn.y + got.drawn.height).toBeGreaterThan(cy);
      expect(got.drawn.width).toBeLessThan(got.width * 0.6);
    }, 300_000);
  });
});
