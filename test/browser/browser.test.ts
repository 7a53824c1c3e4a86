/**
 * End-to-end test of the browser example (examples/browser): builds it with Vite, serves the
 * build on 127.0.0.1, opens it in Debian's headless Chromium (playwright-core), uploads a face
 * and checks that the page shows the emotion the library predicts in Node with the same weights,
 * that a file it cannot decode clears that result, and that there is no broken image before an
 * upload; then runs the webcam on Chromium's fake camera (a moving pattern, no face: the page must
 * say "no face detected", not show a label) and on a fake camera showing
 * `examples/images/astronaut.png` (the face detector finds the face, which gets a label).
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

  it('shows no image (no broken-image icon) before an upload', async () => {
    expect(await page.isHidden('#preview')).toBe(true);
    expect(await page.getAttribute('#preview', 'src')).toBeNull();
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

  it('clears the previous result when an upload cannot be decoded', async () => {
    expect((await page.textContent('#emotion'))?.trim()).not.toBe(''); // the previous test's result
    await page.setInputFiles('#file', { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all') });
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'error');
    expect(await page.textContent('#error')).toContain('broken.png');
    expect((await page.textContent('#emotion'))?.trim()).toBe('');
    expect(await page.locator('#scores tr').count()).toBe(0);
    expect(await page.getAttribute('#result', 'data-scores')).toBeNull();
    expect(await page.isHidden('#preview')).toBe(true);
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
    } finally {
      await faceContext.close();
    }
  });
});
