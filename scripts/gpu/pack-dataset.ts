/**
 * Packs a FER-2013 folder into one file of raw pixels for the GPU trainer (scripts/gpu/train_torch.py):
 * the same decoded pixels `FerDataset` gives the TypeScript trainer, so both train on identical data.
 * The file is for the device machine only: it holds dataset images and must never be committed.
 *
 *   npx tsx scripts/gpu/pack-dataset.ts --data ../shared/datasets/fer2013 --out .gpu/fer2013.bin.xz
 *
 * Layout (before xz): magic "FER1", uint32 LE count, then per image 1 byte split code (FerDataset's), 1 byte label,
 * then count × 48 × 48 pixel bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { FerDataset } from '../../src/data/fer-dataset.js';

const { values } = parseArgs({ options: { data: { type: 'string', default: '../shared/datasets/fer2013' }, out: { type: 'string', default: '.gpu/fer2013.bin.xz' } } });
const d = await FerDataset.fromDirectory(values.data!);
if (d.size !== 48) throw new Error(`expected 48-pixel images, got ${d.size}`);
const header = Buffer.alloc(8);
header.write('FER1', 0, 'ascii');
header.writeUInt32LE(d.length, 4);
const raw = Buffer.concat([header, Buffer.from(d.splitCodes), Buffer.from(d.labels), Buffer.from(d.images)]);
mkdirSync(dirname(values.out!), { recursive: true });
const plain = values.out!.replace(/\.xz$/, '');
writeFileSync(plain, raw);
execFileSync('xz', ['-9', '-f', '-T2', plain]);
console.log(JSON.stringify({ images: d.length, splits: d.splitCounts(), classes: d.classes, out: values.out }));
