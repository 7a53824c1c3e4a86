/**
 * Fixtures for the CLI tests: face-sized PNG/JPEG files, a small CSV, tiny saved models.
 */
import { afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { buildCnnLstm, type CnnLstmOptions } from '../../src/model/cnn-lstm.js';
import { saveModel } from '../../src/model/io.js';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';

const made: string[] = [];

/** A fresh temp folder (removed by {@link removeTempDirs}). */
export function tempDir(prefix = 'fer-cli-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes the temp folders made by {@link tempDir} (done automatically after each test file). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

afterAll(removeTempDirs);

/** A deterministic 48×48 gray face-sized image; different seeds give different images. */
export function gray(seed: number, size = 48): Uint8Array {
  const px = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) px[y * size + x] = Math.round(128 + 100 * Math.sin((x + 3 * seed) / 7) * Math.cos((y - seed) / 11));
  }
  return px;
}

function rgba(px: Uint8Array): Buffer {
  const out = Buffer.alloc(px.length * 4);
  for (let i = 0; i < px.length; i++) { out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = px[i]; out[4 * i + 3] = 255; }
  return out;
}

/** PNG bytes of a square gray image. */
export function png(px: Uint8Array): Buffer {
  const size = Math.round(Math.sqrt(px.length));
  const p = new PNG({ width: size, height: size });
  p.data = rgba(px);
  return PNG.sync.write(p);
}

/** JPEG bytes of a square gray image. */
export function jpg(px: Uint8Array): Buffer {
  const size = Math.round(Math.sqrt(px.length));
  return jpeg.encode({ data: rgba(px), width: size, height: size }, 95).data;
}

/** Writes a file (creating folders) and returns its path. */
export function put(root: string, rel: string, bytes: Uint8Array | string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** `fer2013.csv` text: one row per item. */
export function csvText(items: { label: number | string; pixels: ArrayLike<number>; usage: string }[]): string {
  return ['emotion,pixels,Usage', ...items.map((it) => `${it.label},${Array.from(it.pixels).join(' ')},${it.usage}`)].join('\n') + '\n';
}

/** Saves a tiny CNN-LSTM (4 filters, 4 LSTM units) to `dir`; `options` override it (other shapes). */
export async function saveTinyModel(dir: string, options: CnnLstmOptions = {}): Promise<string> {
  tf.env().set('PROD', true); // no "looks like you are running TensorFlow.js in Node.js" banner
  await setBackend('cpu');
  const model = buildCnnLstm({ filters: [4], lstmUnits: 4, denseUnits: 0, seed: 1, ...options });
  await saveModel(model, dir);
  model.dispose();
  return dir;
}
