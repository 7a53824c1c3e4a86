import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { ImageInputError, isBatchInput, toGrayImages, toModelInput } from '../../src/inference/input.js';
import { encodeJpeg, encodePng, grayOf, pattern } from './fixtures.js';

let dir: string;
const W = 96, H = 96;
const grayRgba = pattern(W, H, true);
const colourRgba = pattern(60, 40);
let grayPng: Buffer, colourJpeg: Buffer, smallPng: Buffer;

beforeAll(async () => {
  await setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'fer-input-'));
  grayPng = encodePng(W, H, grayRgba);
  colourJpeg = encodeJpeg(60, 40, colourRgba);
  smallPng = encodePng(24, 24, pattern(24, 24));
  mkdirSync(join(dir, 'ds', 'happy'), { recursive: true });
  writeFileSync(join(dir, 'ds', 'happy', 'a_gray96.png'), grayPng);
  writeFileSync(join(dir, 'ds', 'happy', 'b_colour.jpg'), colourJpeg);
  writeFileSync(join(dir, 'ds', 'happy', 'c_small24.png'), smallPng);
  writeFileSync(join(dir, 'gray.png'), grayPng);
  writeFileSync(join(dir, 'colour.jpg'), colourJpeg);
  writeFileSync(join(dir, 'small.png'), smallPng);
  writeFileSync(join(dir, 'notes.txt'), 'hello, not an image');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('toGrayImages / toModelInput match FerDataset', () => {
  it('converts files exactly as FerDataset.fromDirectory does (downscale, colour JPEG, upscale)', async () => {
    const ds = await FerDataset.fromDirectory(join(dir, 'ds'), { cache: false });
    expect(ds.length).toBe(3);
    expect(ds.summary.resized).toBe(3);
    const files = ['gray.png', 'colour.jpg', 'small.png'].map((f) => join(dir, f));
    const got = await toGrayImages(files);
    expect(got.count).toBe(3);
    expect(got.batch).toBe(true);
    expect(Array.from(got.pixels)).toEqual(Array.from(ds.images));

    const x = await toModelInput(files);
    const { xs, ys } = ds.toTensors();
    expect(x.shape).toEqual([3, 48, 48, 1]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(x.dataSync())).toEqual(Array.from(xs.dataSync()));
    tf.dispose([x, xs, ys]);
  });

  it('gives the same result for a path, a Buffer, an ArrayBuffer, a file: URL and a data: URL', async () => {
    const path = join(dir, 'gray.png');
    const ref = (await toGrayImages(path)).pixels;
    const ab = grayPng.buffer.slice(grayPng.byteOffset, grayPng.byteOffset + grayPng.byteLength) as ArrayBuffer;
    const inputs = [grayPng, new Uint8Array(grayPng), ab, pathToFileURL(path), pathToFileURL(path).href,
      `data:image/png;base64,${grayPng.toString('base64')}`];
    for (const input of inputs) {
      const got = await toGrayImages(input);
      expect(got.count).toBe(1);
      expect(got.batch).toBe(false);
      expect(Array.from(got.pixels)).toEqual(Array.from(ref));
    }
  });

  it('reads JPEG bytes', async () => {
    const fromFile = await toGrayImages(join(dir, 'colour.jpg'));
    const fromBytes = await toGrayImages(colourJpeg);
    expect(Array.from(fromBytes.pixels)).toEqual(Array.from(fromFile.pixels));
    expect(fromBytes.pixels.some((v) => v !== fromBytes.pixels[0])).toBe(true);
  });

  it('honours size', async () => {
    const got = await toGrayImages(grayPng, { size: 32 });
    expect(got.pixels.length).toBe(32 * 32);
    const x = await toModelInput(grayPng, { size: 32 });
    expect(x.shape).toEqual([1, 32, 32, 1]);
    x.dispose();
    await expect(toGrayImages(grayPng, { size: 0 })).rejects.toThrow(/size must be a positive integer/);
  });
});

describe('tensors and pixel data', () => {
  const gray = grayOf(grayRgba); // 96×96 gray bytes

  it('2-D, 3-D gray, 3-D RGB, 3-D RGBA and ImageData-like give the same result as the PNG for a gray image', async () => {
    const ref = (await toGrayImages(grayPng)).pixels;
    const rgb = new Int32Array(W * H * 3);
    for (let i = 0; i < W * H; i++) rgb.set([gray[i], gray[i], gray[i]], i * 3);
    const tensors = [
      tf.tensor2d(Int32Array.from(gray), [H, W], 'int32'),
      tf.tensor3d(Float32Array.from(gray), [H, W, 1]),
      tf.tensor3d(rgb, [H, W, 3], 'int32'),
      tf.tensor3d(Int32Array.from(grayRgba), [H, W, 4], 'int32'),
    ];
    const others = [
      { width: W, height: H, data: new Uint8ClampedArray(grayRgba) }, // ImageData: RGBA
      { width: W, height: H, data: gray }, // gray, channels inferred
      { width: W, height: H, data: Array.from(gray), channels: 1 },
    ];
    for (const input of [...tensors, ...others]) {
      const got = await toGrayImages(input);
      expect(got.count).toBe(1);
      expect(got.batch).toBe(false);
      expect(Array.from(got.pixels)).toEqual(Array.from(ref));
    }
    tf.dispose(tensors);
  });

  it('colour tensors and colour ImageData convert like the decoded JPEG', async () => {
    const { decodeImage } = await import('../../src/data/decode.js');
    const raster = decodeImage(colourJpeg);
    const ref = (await toGrayImages(colourJpeg)).pixels;
    const t = tf.tensor3d(Int32Array.from(raster.data), [raster.height, raster.width, 4], 'int32');
    expect(Array.from((await toGrayImages(t)).pixels)).toEqual(Array.from(ref));
    expect(Array.from((await toGrayImages(raster)).pixels)).toEqual(Array.from(ref));
    t.dispose();
  });

  it("reads tensor values as 0–255, or 0–1 with tensorRange '0-1'", async () => {
    const ref = (await toGrayImages(grayPng)).pixels;
    const unit = tf.tensor2d(Float32Array.from(gray, (v) => v / 255), [H, W]);
    expect(Array.from((await toGrayImages(unit, { tensorRange: '0-1' })).pixels)).toEqual(Array.from(ref));
    // the default reads the same tensor as 0–255, i.e. nearly black
    expect(Math.max(...(await toGrayImages(unit)).pixels)).toBeLessThanOrEqual(1);
    unit.dispose();
    // out-of-range values are clamped
    const wild = tf.fill([48, 48], 400);
    expect((await toGrayImages(wild)).pixels.every((v) => v === 255)).toBe(true);
    wild.dispose();
  });

  it('a 4-D tensor is a batch of n images, and arrays concatenate', async () => {
    const a = tf.tensor2d(Int32Array.from(gray), [H, W], 'int32');
    const four = tf.tidy(() => tf.expandDims(tf.stack([a, tf.sub(tf.scalar(255, 'int32'), a)]), -1) as tf.Tensor4D);
    const ref = (await toGrayImages(grayPng)).pixels;
    const got = await toGrayImages(four);
    expect(got.count).toBe(2);
    expect(got.batch).toBe(true);
    expect(isBatchInput(four)).toBe(true);
    expect(Array.from(got.pixels.subarray(0, 48 * 48))).toEqual(Array.from(ref));
    expect(got.pixels[48 * 48]).toBe(255 - ref[0]);

    const mixed = await toGrayImages([grayPng, four, join(dir, 'small.png')]);
    expect(mixed.count).toBe(4);
    const x = await toModelInput([grayPng, four, join(dir, 'small.png')]);
    expect(x.shape).toEqual([4, 48, 48, 1]);
    const v = x.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    tf.dispose([a, four, x]);
  });

  it('an empty array is an empty batch', async () => {
    const got = await toGrayImages([]);
    expect(got).toMatchObject({ count: 0, batch: true });
    const x = await toModelInput([]);
    expect(x.shape).toEqual([0, 48, 48, 1]);
    x.dispose();
  });

  it('does not dispose or leak tensors', async () => {
    const t = tf.tensor3d(Int32Array.from(grayRgba), [H, W, 4], 'int32');
    const before = tf.memory().numTensors;
    await toGrayImages([t, t]);
    expect(tf.memory().numTensors).toBe(before);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });
});

describe('bad input', () => {
  it('names a missing file', async () => {
    const p = join(dir, 'missing.png');
    await expect(toGrayImages(p)).rejects.toThrow(`${p}: no such file`);
    await expect(toGrayImages(p)).rejects.toBeInstanceOf(ImageInputError);
  });

  it('names a file that is not an image, and a folder', async () => {
    const p = join(dir, 'notes.txt');
    await expect(toGrayImages(p)).rejects.toThrow(`${p}: not a JPEG or PNG image`);
    await expect(toGrayImages(dir)).rejects.toThrow(`${dir}: is a folder`);
  });

  it('rejects bytes that are not an image, and a truncated PNG', async () => {
    await expect(toGrayImages(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow('encoded image (4 bytes): not a JPEG or PNG image');
    await expect(toGrayImages(grayPng.subarray(0, 60))).rejects.toThrow(/encoded image \(60 bytes\): corrupt or unsupported PNG/);
  });

  it('rejects tensors that are not images, naming the shape', async () => {
    const bad = [tf.zeros([5]), tf.zeros([4, 4, 2]), tf.zeros([1, 2, 4, 4, 1]), tf.zeros([4, 4, 5])];
    for (const t of bad) {
      await expect(toGrayImages(t)).rejects.toThrow(
        `tensor of shape [${t.shape.join(',')}] is not an image: expected [h,w], [h,w,c] or [n,h,w,c] with c = 1, 3 or 4`);
    }
    tf.dispose(bad);
    const empty = tf.zeros([0, 4]);
    await expect(toGrayImages(empty)).rejects.toThrow('tensor of shape [0,4] has no pixels');
    empty.dispose();
  });

  it('rejects pixel data of the wrong length', async () => {
    await expect(toGrayImages({ width: 10, height: 10, data: new Uint8Array(7) }))
      .rejects.toThrow('image data 10×10 holds 7 values: expected 100 (gray), 300 (RGB) or 400 (RGBA)');
    await expect(toGrayImages({ width: 0, height: 10, data: new Uint8Array(0) }))
      .rejects.toThrow('image data 0×10: width and height must be positive integers');
  });

  it('rejects things that are not images, and names the array index', async () => {
    await expect(toGrayImages(42 as never)).rejects.toThrow(/^number is not an image: expected a file path/);
    await expect(toGrayImages({ foo: 1 } as never)).rejects.toThrow(/^object is not an image/);
    await expect(toGrayImages(null as never)).rejects.toThrow(/^null is not an image/);
    await expect(toGrayImages([grayPng, join(dir, 'missing.png')])).rejects.toThrow(`input[1]: ${join(dir, 'missing.png')}: no such file`);
    await expect(toGrayImages([[grayPng]] as never)).rejects.toThrow(/input\[0\]: array of 1 is not an image: nested arrays/);
  });
});
