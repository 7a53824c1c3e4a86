/**
 * The built CLI on a folder of real-world files: formats told from their bytes, WebP read with the
 * optional sharp (and refused naming the fix without it), a PNG decompression bomb and a 12-bit
 * JPEG refused as error rows (exit code 1) rather than answered.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gray, jpg, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';
import { pngBomb } from '../data/image-fixtures.js';

const require = createRequire(import.meta.url);
let sharp: typeof import('sharp') | undefined;
try { sharp = require('sharp'); } catch { /* not installed: the with-sharp test skips */ }

let dir: string;
let model: string;
let folder: string;

function twelveBit(): Buffer {
  const b = Buffer.from(jpg(gray(3)));
  const at = b.indexOf(Buffer.from([0xff, 0xc0]));
  b[at + 1] = 0xc1;
  b[at + 4] = 12;
  return b;
}

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  folder = join(dir, 'photos');
  put(folder, 'a-ok.png', png(gray(1)));
  put(folder, 'b-bomb.png', pngBomb(1, 1, 50 * 2 ** 20));
  put(folder, 'c-twelve-bit.jpg', twelveBit());
  const webp = sharp
    ? await sharp(Buffer.from(gray(2)), { raw: { width: 48, height: 48, channels: 1 } }).webp({ lossless: true }).toBuffer()
    : Buffer.concat([Buffer.from('RIFF\x24\0\0\0WEBPVP8L', 'latin1'), Buffer.alloc(32)]);
  put(folder, 'd-photo.webp', webp);
  put(folder, 'e-webp-named.jpg', webp);
  put(folder, 'notes.txt', 'not an image name: not listed');
});

async function rows(env: Record<string, string> = {}): Promise<{ code: number | null; rows: Record<string, { status: string; error?: string }> }> {
  const out = join(dir, `r-${Object.keys(env).length}.jsonl`);
  const r = await runCli(['predict', folder, '--weights', model, '--out', out, '--workers', '1'], { env });
  const parsed = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l) as { file: string; status: string; error?: string });
  return { code: r.code, rows: Object.fromEntries(parsed.map((p) => [p.file.slice(folder.length + 1), p])) };
}

describe('fer-cnn-lstm predict on files of many formats', () => {
  it.skipIf(!sharp)(`with sharp: WebP (also named .jpg) is read; the bomb and the 12-bit JPEG are error rows${sharp ? '' : ' — skipped: sharp is not installed'}`, async () => {
    const { code, rows: r } = await rows();
    expect(Object.keys(r).sort()).toEqual(['a-ok.png', 'b-bomb.png', 'c-twelve-bit.jpg', 'd-photo.webp', 'e-webp-named.jpg']);
    expect(r['a-ok.png'].status).toBe('ok');
    expect(r['d-photo.webp'].status).toBe('ok');
    expect(r['e-webp-named.jpg'].status).toBe('ok');
    expect(r['b-bomb.png'].error).toMatch(/b-bomb\.png: refused PNG: its image data inflates past the 2 bytes its header declares for 1×1 pixels/);
    expect(r['c-twelve-bit.jpg'].error).toMatch(/c-twelve-bit\.jpg: 12-bit JPEG is not supported/);
    expect(code).toBe(1);
  });

  it('without sharp (FER_CNN_LSTM_SHARP=0): WebP files are error rows naming the format and the fix', async () => {
    const { code, rows: r } = await rows({ FER_CNN_LSTM_SHARP: '0' });
    expect(r['a-ok.png'].status).toBe('ok');
    expect(r['d-photo.webp'].error).toMatch(/d-photo\.webp: WebP image: .*npm install sharp to read WebP/);
    expect(r['e-webp-named.jpg'].error).toMatch(/e-webp-named\.jpg: WebP image: .*npm install sharp/);
    expect(code).toBe(1);
  });

  it('a single bomb PNG is refused with exit code 1, not answered', async () => {
    const r = await runCli(['predict', join(folder, 'b-bomb.png'), '--weights', model]);
    expect(r.stderr).toMatch(/b-bomb\.png: refused PNG: its image data inflates past/);
    expect(r.code).not.toBe(0);
  });
});
