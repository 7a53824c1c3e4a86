import { existsSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDirectory } from '../../src/data/directory.js';
import { FerDataError } from '../../src/data/errors.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { EMOTIONS } from '../../src/emotions.js';
import { encodePng, ferCsv, grayImage, grayJpeg, grayOnlyPng, grayPng, put, smoothImage, tempDir } from './fixtures.js';

const dirs: string[] = [];
function fresh(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Loads without touching the user's cache. */
const load = (dir: string, options: Parameters<typeof FerDataset.fromDirectory>[1] = {}) => FerDataset.fromDirectory(dir, { cache: false, ...options });

async function rejection(p: Promise<unknown>): Promise<FerDataError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(FerDataError);
  return e as FerDataError;
}

describe('FerDataset.fromDirectory: Kaggle layout', () => {
  let root: string;
  beforeAll(() => {
    root = fresh('fer-kaggle-');
    put(root, 'train/happy/Training_10.png', grayPng(grayImage(1)));
    put(root, 'train/happy/Training_11.png', grayPng(grayImage(2)));
    put(root, 'train/angry/Training_3.png', grayPng(grayImage(3)));
    put(root, 'test/sad/PublicTest_5.png', grayPng(grayImage(4)));
    put(root, 'test/sad/PrivateTest_6.png', grayPng(grayImage(5)));
    put(root, 'test/Neutral/PublicTest_7.png', grayPng(grayImage(6)));
    put(root, 'train/happy/notes.txt', 'not an image');
  });

  it('reads labels, splits (from file-name prefixes) and exact PNG pixels', async () => {
    const d = await load(root);
    expect(d.length).toBe(6);
    // order: split folders, class folders, file names — each sorted
    expect(d.sources).toEqual([
      'test/Neutral/PublicTest_7.png', 'test/sad/PrivateTest_6.png', 'test/sad/PublicTest_5.png',
      'train/angry/Training_3.png', 'train/happy/Training_10.png', 'train/happy/Training_11.png',
    ]);
    expect([...d.labels].map((l) => EMOTIONS[l])).toEqual(['Neutral', 'Sad', 'Sad', 'Angry', 'Happy', 'Happy']);
    expect(Array.from({ length: 6 }, (_, i) => d.splitOf(i))).toEqual(['PublicTest', 'PrivateTest', 'PublicTest', 'Training', 'Training', 'Training']);
    expect(d.image(1)).toEqual(grayImage(5));
    expect(d.image(4)).toEqual(grayImage(1));
    expect(d.summary).toMatchObject({ count: 6, resized: 0, colour: 0, skipped: [], cached: false });
    expect(d.classCounts()).toEqual({ Angry: 1, Disgust: 0, Fear: 0, Happy: 2, Sad: 2, Surprise: 0, Neutral: 1 });
    expect(d.splitCounts()).toEqual({ Training: 3, PublicTest: 2, PrivateTest: 1 });
  });

  it('takes the split from the top folder when the name has no prefix', async () => {
    const r = fresh('fer-folders-');
    put(r, 'train/fear/a.png', grayPng(grayImage(1)));
    put(r, 'test/fear/b.png', grayPng(grayImage(2)));
    put(r, 'test/fear/Training_9.png', grayPng(grayImage(3)));
    const d = await load(r);
    expect(d.sources).toEqual(['test/fear/Training_9.png', 'test/fear/b.png', 'train/fear/a.png']);
    // the prefix wins over the folder
    expect([d.splitOf(0), d.splitOf(1), d.splitOf(2)]).toEqual(['Training', 'PublicTest', 'Training']);
  });

  it('reads class folders directly (no split level) as Training', async () => {
    const r = fresh('fer-flat-');
    put(r, 'surprise/x.png', grayPng(grayImage(1)));
    put(r, 'DISGUST/y.png', grayPng(grayImage(2)));
    put(r, 'disgust/PublicTest_1.png', grayPng(grayImage(3)));
    const d = await load(r);
    expect(d.length).toBe(3);
    expect(d.classCounts()).toMatchObject({ Surprise: 1, Disgust: 2 });
    expect(d.splitCounts()).toEqual({ Training: 2, PublicTest: 1 });
  });

  it('reads JPEG (lossy: close to the source pixels)', async () => {
    const r = fresh('fer-jpeg-');
    const img = smoothImage(3);
    put(r, 'happy/Training_1.jpg', grayJpeg(img));
    put(r, 'happy/Training_2.JPEG', grayJpeg(smoothImage(8)));
    const d = await load(r);
    expect(d.length).toBe(2);
    let maxDiff = 0, sum = 0;
    const got = d.image(0);
    for (let i = 0; i < img.length; i++) { const diff = Math.abs(got[i] - img[i]); maxDiff = Math.max(maxDiff, diff); sum += diff; }
    expect(maxDiff).toBeLessThanOrEqual(4);
    expect(sum / img.length).toBeLessThan(1);
    expect(d.summary.resized).toBe(0);
    // a gray picture stored as a 3-channel JPEG is not "colour"
    expect(d.summary.colour).toBe(0);
  });

  it('reads 1-channel gray PNGs exactly', async () => {
    const r = fresh('fer-graypng-');
    put(r, 'fear/a.png', grayOnlyPng(grayImage(5)));
    put(r, 'fear/b.png', grayOnlyPng(grayImage(6)));
    const d = await load(r);
    expect(d.sources).toEqual(['fear/a.png', 'fear/b.png']);
    expect(d.image(0)).toEqual(grayImage(5));
    expect(d.image(1)).toEqual(grayImage(6));
    expect(d.summary).toMatchObject({ resized: 0, colour: 0 });
  });

  it('converts colour and other sizes to 48×48 gray and counts them', async () => {
    const r = fresh('fer-convert-');
    // 96×96 gray → resized only
    put(r, 'sad/big.png', grayPng(grayImage(1, 96)));
    // 48×48 colour (pure red) → colour only, gray = round(0.299·255) = 76
    const red = new Uint8Array(48 * 48 * 4);
    for (let i = 0; i < 48 * 48; i++) { red[i * 4] = 255; red[i * 4 + 3] = 255; }
    put(r, 'sad/red.png', encodePng(red, 48, 48));
    // 30×20 colour → both
    const small = new Uint8Array(30 * 20 * 4);
    for (let i = 0; i < 30 * 20; i++) { small[i * 4 + 1] = 200; small[i * 4 + 2] = i % 256; small[i * 4 + 3] = 255; }
    put(r, 'sad/small.png', encodePng(small, 30, 20));
    put(r, 'sad/plain.png', grayPng(grayImage(2)));
    const d = await load(r);
    expect(d.length).toBe(4);
    expect(d.size).toBe(48);
    expect(d.images.length).toBe(4 * 48 * 48);
    expect(d.summary.resized).toBe(2);
    expect(d.summary.colour).toBe(2);
    const redIdx = d.sources.indexOf('sad/red.png');
    expect(new Set(d.image(redIdx))).toEqual(new Set([76]));
    // area-averaged 2× downscale of the big image
    const big = grayImage(1, 96);
    const bigIdx = d.sources.indexOf('sad/big.png');
    const avg = (big[0] + big[1] + big[96] + big[97]) / 4;
    expect(Math.abs(d.image(bigIdx)[0] - avg)).toBeLessThanOrEqual(0.5);
  });

  it('loads at another size', async () => {
    const r = fresh('fer-size-');
    put(r, 'happy/a.png', grayPng(grayImage(1)));
    const d = await load(r, { size: 24 });
    expect(d.size).toBe(24);
    expect(d.image(0).length).toBe(576);
    expect(d.summary.resized).toBe(1);
  });

  it('supports a custom class list (8 classes with Contempt)', async () => {
    const r = fresh('fer-classes-');
    put(r, 'train/contempt/Training_1.png', grayPng(grayImage(1)));
    put(r, 'train/happy/Training_2.png', grayPng(grayImage(2)));
    await expect(load(r)).rejects.toThrow(/unknown emotion folder "contempt"/);
    const classes = [...EMOTIONS, 'Contempt'];
    const d = await load(r, { classes });
    expect(d.classes).toEqual(classes);
    expect([...d.labels]).toEqual([7, 3]);
    expect(d.classCounts()).toMatchObject({ Contempt: 1, Happy: 1 });
  });
});

describe('FerDataset.fromDirectory: errors', () => {
  it('names an unknown emotion folder', async () => {
    const r = fresh('fer-unknown-');
    put(r, 'train/happy/a.png', grayPng(grayImage(1)));
    put(r, 'train/bored/b.png', grayPng(grayImage(2)));
    const e = await rejection(load(r));
    expect(e.message).toMatch(/unknown emotion folder "bored"/);
    expect(e.source).toBe(join(r, 'train/bored'));
  });

  it('names a missing folder and an empty one', async () => {
    const missing = join(fresh('fer-missing-'), 'nope');
    expect((await rejection(load(missing))).message).toBe(`${missing}: no such folder`);
    const empty = fresh('fer-empty-');
    expect((await rejection(load(empty))).message).toMatch(/no class folders/);
  });

  it('names a corrupt image, or skips it with onError: "skip"', async () => {
    const r = fresh('fer-corrupt-');
    put(r, 'train/happy/Training_1.png', grayPng(grayImage(1)));
    const garbage = put(r, 'train/happy/Training_2.png', 'this is not a png');
    const truncated = put(r, 'train/sad/Training_3.png', grayPng(grayImage(3)).subarray(0, 60));
    put(r, 'train/sad/Training_4.png', grayPng(grayImage(4)));
    const e = await rejection(load(r));
    expect(e.source).toBe(garbage);
    expect(e.message).toBe(`${garbage}: not a JPEG or PNG image`);

    const d = await load(r, { onError: 'skip' });
    expect(d.length).toBe(2);
    expect(d.sources).toEqual(['train/happy/Training_1.png', 'train/sad/Training_4.png']);
    expect([...d.labels]).toEqual([3, 4]);
    expect(d.image(1)).toEqual(grayImage(4));
    expect(d.summary.skipped.map((s) => s.source)).toEqual([garbage, truncated]);
    expect(d.summary.skipped[1].reason).toMatch(/corrupt or unsupported PNG/);
    expect(d.summary.count).toBe(2);
  });
});

describe('FerDataset.fromDirectory: cache', () => {
  it('reuses the cache on a second load and invalidates it when a file changes', async () => {
    const r = fresh('fer-cache-');
    const cacheDir = fresh('fer-cache-dir-');
    put(r, 'train/happy/Training_1.png', grayPng(grayImage(1)));
    const changed = put(r, 'test/angry/PublicTest_2.png', grayPng(grayImage(2)));
    put(r, 'test/angry/junk.png', 'bad');

    const a = await FerDataset.fromDirectory(r, { cacheDir, onError: 'skip' });
    expect(a.summary.cached).toBe(false);
    const b = await FerDataset.fromDirectory(r, { cacheDir, onError: 'skip' });
    expect(b.summary.cached).toBe(true);
    expect(b.images).toEqual(a.images);
    expect(b.labels).toEqual(a.labels);
    expect(b.splitCodes).toEqual(a.splitCodes);
    expect(b.sources).toEqual(a.sources);
    expect(b.summary.skipped).toEqual(a.summary.skipped);

    // same size, new content and a new mtime → a fresh decode
    writeFileSync(changed, grayPng(grayImage(9)));
    const later = new Date(statSync(changed).mtimeMs + 5000);
    utimesSync(changed, later, later);
    const c = await FerDataset.fromDirectory(r, { cacheDir, onError: 'skip' });
    expect(c.summary.cached).toBe(false);
    expect(c.image(c.sources.indexOf('test/angry/PublicTest_2.png'))).toEqual(grayImage(9));

    // a new file also invalidates it
    put(r, 'train/happy/Training_3.png', grayPng(grayImage(3)));
    const d = await FerDataset.fromDirectory(r, { cacheDir, onError: 'skip' });
    expect(d.summary.cached).toBe(false);
    expect(d.length).toBe(3);

    // another image size or class list is another cache entry
    const e = await FerDataset.fromDirectory(r, { cacheDir, onError: 'skip', size: 32 });
    expect(e.summary.cached).toBe(false);
    expect(e.size).toBe(32);
  });

  it('a cached decode with skipped files still throws for onError: "throw"', async () => {
    const r = fresh('fer-cache-skip-');
    const cacheDir = fresh('fer-cache-skip-dir-');
    put(r, 'happy/a.png', grayPng(grayImage(1)));
    const bad = put(r, 'happy/b.png', 'garbage');
    const skipped = await FerDataset.fromDirectory(r, { cacheDir, onError: 'skip' });
    expect(skipped.length).toBe(1);
    const e = await rejection(FerDataset.fromDirectory(r, { cacheDir }));
    expect(e.source).toBe(bad);
    expect((await FerDataset.fromDirectory(r, { cacheDir, onError: 'skip' })).summary.cached).toBe(true);
  });

  it('cache: false neither reads nor writes', async () => {
    const r = fresh('fer-nocache-');
    const cacheDir = join(fresh('fer-nocache-dir-'), 'sub');
    put(r, 'happy/a.png', grayPng(grayImage(1)));
    await FerDataset.fromDirectory(r, { cacheDir, cache: false });
    const again = await FerDataset.fromDirectory(r, { cacheDir, cache: false });
    expect(again.summary.cached).toBe(false);
    expect(existsSync(cacheDir)).toBe(false);
    expect(listDirectory(r, EMOTIONS).map((e) => e.name)).toEqual(['happy/a.png']);
  });
});

describe('PNG folder and CSV parity', () => {
  it('gives identical images, labels and splits', async () => {
    const r = fresh('fer-parity-');
    // listed in the folder loader's order: split folder (test < train), class folder, file name
    const items = [
      { rel: 'test/angry/PrivateTest_1.png', label: 0, usage: 'PrivateTest' },
      { rel: 'test/angry/PublicTest_2.png', label: 0, usage: 'PublicTest' },
      { rel: 'test/happy/PublicTest_3.png', label: 3, usage: 'PublicTest' },
      { rel: 'train/disgust/Training_4.png', label: 1, usage: 'Training' },
      { rel: 'train/fear/Training_5.png', label: 2, usage: 'Training' },
      { rel: 'train/neutral/Training_6.png', label: 6, usage: 'Training' },
      { rel: 'train/sad/Training_7.png', label: 4, usage: 'Training' },
      { rel: 'train/surprise/Training_8.png', label: 5, usage: 'Training' },
    ].map((it, i) => ({ ...it, pixels: grayImage(i * 13 + 1) }));
    for (const it of items) put(r, it.rel, grayPng(it.pixels));
    const fromDir = await load(r);
    const fromCsv = await FerDataset.fromCsv(ferCsv(items));
    expect(fromDir.sources).toEqual(items.map((it) => it.rel));
    expect(fromDir.images).toEqual(fromCsv.images);
    expect(fromDir.labels).toEqual(fromCsv.labels);
    expect(fromDir.splitCodes).toEqual(fromCsv.splitCodes);
    expect(fromDir.classCounts()).toEqual(fromCsv.classCounts());
  });
});
