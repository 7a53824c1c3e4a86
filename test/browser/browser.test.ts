/**
 * End-to-end test of the browser example (examples/browser): builds it with Vite, serves the
 * build on 127.0.0.1, opens it in Debian's headless Chromium (playwright-core), uploads a face
 * and checks that the page shows the emotion the library predicts in Node with the same weights
 * and draws the face's box on the photo, that a file it cannot decode clears that result, and
 * that there is no photo before an upload; runs the sample photos (a group of three: three boxes;
 * a gradient: "no face found"; a 48×48 crop: classified whole); then runs the webcam on
 * Chromium's fake camera (a moving pattern, no face: the page must say "no face detected", not
 * show a label or a box) and on a fake camera showing `examples/images/astronaut.png` (the face is
 * found, labelled, and its box drawn over the video; the frame rate achieved is shown).
 * Skipped when Chromium is not installed (`apt-get install -y chromium`).
 *
 * Weights: the shipped `weights/float16/` (what the example embeds by default), else
 * `weights/`, else (none, or none that loads) a tiny stand-in model saved here.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyEmotion, setBackend, type Classification } from '../../src/index.js';
import { EMOTION_RGB } from '../../src/viz.js';
import { REPO, buildExample, bundleSizes, formatSizes, hasPlaywright, requestedSizes, serveStatic, usableWeights, writeY4m } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IMAGE = join(REPO, 'examples', 'images', 'astronaut-face.png');
const PHOTO = join(REPO, 'examples', 'images', 'astronaut.png');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // a synthetic camera, allowed without a prompt
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];
const missing = !existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install -y chromium)`
  : !hasPlaywright() ? 'playwright-core is not installed (npm ci)' : undefined;
if (missing) console.warn(`[browser example] skipped: ${missing}`);
const title = missing ? `browser example — SKIPPED: ${missing}` : 'browser example (Vite build in headless Chromium)';

/** A face as the page lists it in `#result`'s `data-boxes`. */
interface PageFace { x: number; y: number; width: number; height: number; emotion: string }

/** The faces the page lists in `data-boxes`. */
async function pageFaces(page: Page): Promise<PageFace[]> {
  return JSON.parse((await page.getAttribute('#result', 'data-boxes')) ?? 'null') as PageFace[];
}

/** The RGBA pixels of canvas `#id` at `points` (canvas pixels, rounded down). */
function pixels(page: Page, id: string, points: [number, number][]): Promise<number[][]> {
  return page.evaluate(([id, points]) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    return points.map(([x, y]) => [...ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data]);
  }, [id, points] as const);
}

/** The colour in which `drawEmotions` draws a face of `emotion`. */
function emotionColor(emotion: string): readonly number[] {
  const key = Object.keys(EMOTION_RGB).find((e) => emotion.toLowerCase().startsWith(e.toLowerCase()));
  return key ? EMOTION_RGB[key] : [255, 221, 0];
}

/** Checks that each face's box is drawn on the photo (`#photo`): its left edge, half way down, has the emotion's colour. */
async function expectBoxesOnPhoto(page: Page, faces: readonly PageFace[]): Promise<void> {
  const scale = Number(await page.getAttribute('#photo', 'data-scale'));
  const edges = await pixels(page, 'photo', faces.map((f) => [f.x * scale, (f.y + f.height / 2) * scale]));
  faces.forEach((f, i) => {
    const want = emotionColor(f.emotion);
    for (let c = 0; c < 3; c++) expect(Math.abs(edges[i][c] - want[c]), `face ${i} (${f.emotion}): pixel ${edges[i]} vs ${want}`).toBeLessThanOrEqual(30);
  });
}

/** Clicks the sample button `name` and waits for its result (or an error). */
async function runSample(page: Page, name: string): Promise<void> {
  await page.click(`button[data-sample="${name}"]`);
  await page.waitForFunction((name) => (document.getElementById('result')?.dataset.source === `sample ${name}`
    && document.getElementById('status')?.textContent === 'ready') || document.getElementById('status')?.textContent === 'error', name);
}

describe.skipIf(missing !== undefined)(title, () => {
  let tmp: string;
  let outDir: string;
  let weightsDir: string;
  let shipped: boolean;
  let server: Server | undefined;
  let baseUrl: string;
  let requests: string[];
  let context: BrowserContext | undefined;
  let playwright: typeof import('playwright-core') | undefined;
  const chromium = () => playwright!.chromium;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fer-browser-'));
    ({ dir: weightsDir, shipped } = await usableWeights(tmp));
    outDir = join(tmp, 'dist');
    const t0 = performance.now();
    await buildExample(outDir, weightsDir);
    const buildSeconds = (performance.now() - t0) / 1000;
    console.log(`[browser example] weights: ${weightsDir}${shipped ? '' : ' (stand-in: no loadable shipped weights)'}; `
      + `vite build ${buildSeconds.toFixed(1)} s\n[browser example] bundle: ${formatSizes(bundleSizes(outDir))}`);

    ({ server, url: baseUrl, requests } = await serveStatic(outDir));
    playwright = await import('playwright-core');
    context = await chromium().launchPersistentContext(join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    context.setDefaultTimeout(60_000);
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    // nothing but the local server: the build must embed everything (no CDN)
    await context.route((url) => !url.href.startsWith(baseUrl), (route) => {
      pageErrors.push(`request outside the build: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(baseUrl);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('status')?.textContent ?? ''));
    expect(await page.textContent('#error'), pageErrors.join('\n')).toBe('');
  }, 300_000); // a Vite build: ~30 s, several times that on a loaded machine

  afterAll(async () => {
    await context?.close();
    await new Promise((r) => server ? server.close(r) : r(undefined));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('runs on the wasm backend with the embedded weights', async () => {
    expect(await page.textContent('#backend')).toBe('wasm');
    expect(requests).toContain('/weights/model.json');
    expect(requests.some((r) => /\/assets\/tfjs-backend-wasm[\w-]*\.wasm$/.test(r))).toBe(true);
    expect(pageErrors).toEqual([]);
    console.log(`[browser example] downloaded by the page: ${requestedSizes(outDir, requests)}`);
  });

  it('shows no photo before one is chosen, and the sample buttons are enabled', async () => {
    expect(await page.isHidden('#photo')).toBe(true);
    expect(await page.locator('button[data-sample]:enabled').count()).toBeGreaterThanOrEqual(4);
  });

  it('shows the emotion that the library predicts in Node for an uploaded image', async () => {
    await setBackend('wasm');
    const expected = await classifyEmotion(IMAGE, { weights: weightsDir, backend: 'wasm' });

    await page.setInputFiles('#file', IMAGE);
    await page.waitForFunction(() => (document.getElementById('result')?.dataset.source ?? '').startsWith('image')
      || document.getElementById('status')?.textContent === 'error');
    expect(await page.textContent('#error'), pageErrors.join('\n')).toBe('');

    const emotion = (await page.textContent('#emotion'))?.trim();
    console.log(`[browser example] Node: ${expected.emotion} (${(100 * expected.confidence).toFixed(1)} %); page: ${emotion}`);
    expect(emotion).toBe(expected.emotion);
    const scores = JSON.parse((await page.getAttribute('#result', 'data-scores')) ?? '{}') as Classification['scores'];
    for (const [name, p] of Object.entries(expected.scores)) expect(scores[name as keyof typeof scores]).toBeCloseTo(p as number, 3);
    expect(await page.locator('#scores tr').count()).toBe(7);
    expect(await page.textContent('#scores tr.best td')).toBe(expected.emotion);
  });

  it('draws the box and label of the uploaded face on the photo', async () => {
    expect(await page.isVisible('#photo')).toBe(true);
    expect(await page.getAttribute('#result', 'data-count')).toBe('1');
    expect((await page.textContent('#faces'))?.trim()).toBe('1 face');
    const faces = await pageFaces(page);
    expect(faces).toHaveLength(1);
    expect(faces[0].emotion).toBe((await page.textContent('#emotion'))?.trim());
    expect(faces[0].width).toBeGreaterThan(40); // the face fills most of the 130×130 crop
    await expectBoxesOnPhoto(page, faces);
  });

  it('clears the previous result when an upload cannot be decoded', async () => {
    expect((await page.textContent('#emotion'))?.trim()).not.toBe(''); // the previous test's result
    await page.setInputFiles('#file', { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all') });
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'error');
    expect(await page.textContent('#error')).toContain('broken.png');
    expect((await page.textContent('#emotion'))?.trim()).toBe('');
    expect(await page.locator('#scores tr').count()).toBe(0);
    expect(await page.getAttribute('#result', 'data-scores')).toBeNull();
    expect(await page.getAttribute('#result', 'data-boxes')).toBeNull();
    expect(await page.isHidden('#photo')).toBe(true);
  });

  it('finds and draws the three faces of the group sample (the portrait at three scales, one mirrored)', async () => {
    await runSample(page, 'group');
    expect(await page.textContent('#error'), pageErrors.join('\n')).toBe('');
    expect(await page.getAttribute('#result', 'data-face')).toBe('found');
    expect(await page.getAttribute('#result', 'data-count')).toBe('3');
    expect(await page.textContent('#faces')).toContain('3 faces');
    const faces = [...await pageFaces(page)].sort((a, b) => a.x - b.x);
    console.log(`[browser example] group sample: ${faces.map((f) => `${f.emotion} ${Math.round(f.width)} px at x ${Math.round(f.x)}`).join('; ')}`);
    expect(faces).toHaveLength(3);
    // side by side, the portrait at 1, 0.5 and 0.7 times its size: disjoint boxes of those sizes
    for (let i = 1; i < 3; i++) expect(faces[i].x).toBeGreaterThan(faces[i - 1].x + faces[i - 1].width);
    expect(faces[1].width / faces[0].width).toBeGreaterThan(0.4);
    expect(faces[1].width / faces[0].width).toBeLessThan(0.6);
    expect(faces[2].width / faces[0].width).toBeGreaterThan(0.6);
    expect(faces[2].width / faces[0].width).toBeLessThan(0.8);
    expect(await page.locator('#scores tr').count()).toBe(7);
    await expectBoxesOnPhoto(page, faces);
  });

  it('says "no face found" for the sample without a face, with no label, scores or box', async () => {
    await runSample(page, 'noface');
    expect(await page.textContent('#error'), pageErrors.join('\n')).toBe('');
    expect((await page.textContent('#emotion'))?.trim()).toBe('no face found');
    expect(await page.getAttribute('#result', 'data-face')).toBe('none');
    expect(await page.getAttribute('#result', 'data-count')).toBe('0');
    expect(await pageFaces(page)).toEqual([]);
    expect(await page.getAttribute('#result', 'data-scores')).toBeNull();
    expect(await page.locator('#scores tr').count()).toBe(0);
    expect(await page.isVisible('#photo')).toBe(true); // the gradient, with nothing drawn on it
  });

  it('classifies the 48×48 crop sample as it is (a face crop: no detection)', async () => {
    await runSample(page, 'crop48');
    expect(await page.textContent('#error'), pageErrors.join('\n')).toBe('');
    expect(await page.getAttribute('#result', 'data-face')).toBe('found');
    const faces = await pageFaces(page);
    expect(faces).toHaveLength(1);
    expect(faces[0]).toMatchObject({ x: 0, y: 0, width: 48, height: 48 });
    await expectBoxesOnPhoto(page, faces);
  });

  it('says "no face detected" for webcam frames without a face (Chromium\'s fake camera)', async () => {
    await page.click('#webcam-start');
    expect(await page.textContent('#status')).not.toBe('error');
    await page.waitForFunction(() => Number(document.getElementById('result')?.dataset.frames) >= 3
      || document.getElementById('status')?.textContent === 'error');
    expect(await page.textContent('#error'), pageErrors.join('\n')).toBe('');
    expect(await page.getAttribute('#result', 'data-source')).toBe('webcam');
    expect(await page.getAttribute('#result', 'data-face')).toBe('none');
    expect((await page.textContent('#emotion'))?.trim()).toBe('no face detected');
    expect(await page.getAttribute('#result', 'data-scores')).toBeNull();
    expect(await page.locator('#scores tr').count()).toBe(0);
    expect(await page.getAttribute('#result', 'data-count')).toBe('0');
    const blank = await page.evaluate(() => {
      const o = document.getElementById('overlay') as HTMLCanvasElement;
      return o.width > 0 && o.getContext('2d')!.getImageData(0, 0, o.width, o.height).data.every((v, i) => i % 4 !== 3 || v === 0);
    });
    expect(blank, 'the overlay has the video\'s size and nothing drawn on it').toBe(true);
    await page.click('#webcam-stop');
    expect(await page.textContent('#status')).toBe('ready');
  });

  it('labels the face that the detector finds in webcam frames (a fake camera showing a portrait)', async () => {
    const video = join(tmp, 'portrait.y4m');
    writeY4m(PHOTO, video);
    const faceContext = await chromium().launchPersistentContext(join(tmp, 'profile-face'), {
      executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, `--use-file-for-fake-video-capture=${video}`],
    });
    try {
      faceContext.setDefaultTimeout(60_000);
      const facePage = faceContext.pages()[0] ?? await faceContext.newPage();
      await facePage.goto(baseUrl);
      await facePage.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('status')?.textContent ?? ''));
      await facePage.click('#webcam-start');
      await facePage.waitForFunction(() => Number(document.getElementById('result')?.dataset.frames) >= 3
        || document.getElementById('status')?.textContent === 'error');
      expect(await facePage.textContent('#error')).toBe('');
      expect(await facePage.getAttribute('#result', 'data-face')).toBe('found');
      const emotion = (await facePage.textContent('#emotion'))?.trim();
      const scores = JSON.parse((await facePage.getAttribute('#result', 'data-scores')) ?? '{}') as Record<string, number>;
      console.log(`[browser example] webcam showing astronaut.png: ${emotion}; ${await facePage.textContent('#fps')}`);
      expect(Object.keys(scores)).toHaveLength(7);
      expect(Object.keys(scores)).toContain(emotion);
      expect(Object.values(scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

      // the box is drawn over the face, on the overlay (a canvas of the video's size): one
      // frame's faces, the overlay's pixels and the video's size, read together
      const seen = await facePage.evaluate(() => {
        const video = document.getElementById('video') as HTMLVideoElement;
        const overlay = document.getElementById('overlay') as HTMLCanvasElement;
        const faces = JSON.parse(document.getElementById('result')!.dataset.boxes ?? '[]') as { x: number; y: number; width: number; height: number }[];
        const alpha = (x: number, y: number) => overlay.getContext('2d')!.getImageData(Math.floor(x), Math.floor(y), 1, 1).data[3];
        return {
          video: [video.videoWidth, video.videoHeight], overlay: [overlay.width, overlay.height], faces,
          edge: faces.map((f) => alpha(f.x, f.y + f.height / 2)), centre: faces.map((f) => alpha(f.x + f.width / 2, f.y + f.height / 2)),
          corner: alpha(overlay.width - 1, overlay.height - 1),
          count: document.getElementById('result')!.dataset.count,
          fps: Number(document.getElementById('result')!.dataset.fps),
          fpsText: document.getElementById('fps')!.textContent ?? '',
        };
      });
      expect(seen.overlay).toEqual(seen.video);
      expect(seen.faces).toHaveLength(1);
      expect(seen.count).toBe('1');
      const [face] = seen.faces;
      // astronaut.png's face: x 162–291 of its 512 pixels
      expect((face.x + face.width / 2) / seen.video[0]).toBeGreaterThan(0.3);
      expect((face.x + face.width / 2) / seen.video[0]).toBeLessThan(0.57);
      expect(seen.edge[0]).toBeGreaterThan(128); // the box's edge
      expect(seen.centre[0]).toBe(0); // the face itself shows through
      expect(seen.corner).toBe(0);

      // the frame rate achieved, measured from the frames analysed, and the number of faces
      expect(seen.fps).toBeGreaterThan(0);
      expect(seen.fpsText).toContain(`${seen.fps.toFixed(1)} frames/s`);
      expect(seen.fpsText).toContain('1 face in this frame');
      await facePage.click('#webcam-stop');
      expect(await facePage.textContent('#status')).toBe('ready');
    } finally {
      await faceContext.close();
    }
  });
});
