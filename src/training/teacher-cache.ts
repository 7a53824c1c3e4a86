/**
 * The teacher's predictions of the training images, kept in the checkpoint folder (Node) so that
 * `--resume` of a distillation run reuses them instead of computing them again (minutes on a
 * CPU). The file is keyed by the teacher's weights, the test-time augmentation and the training
 * images: any change to one of them, or a damaged file, means the predictions are computed anew.
 *
 * Layout: `teacher-targets.json` (key, shape) and `teacher-targets.bin` (float32, `n × k`).
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { tfl } from '../backends/tf.js';
import type { FerDataset } from '../data/fer-dataset.js';
import type { TtaMode } from '../inference/tta.js';
import { writeFileAtomic } from '../util/atomic-write.js';

const META = 'teacher-targets.json';
const DATA = 'teacher-targets.bin';

interface TeacherCacheMeta {
  version: 1;
  key: string;
  images: number;
  classes: number;
}

/** A digest of everything the teacher's predictions depend on. */
export function teacherKey(teacher: tfl.LayersModel, trainSet: FerDataset, tta: TtaMode): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ tta, size: trainSet.size, n: trainSet.length }));
  for (const w of teacher.getWeights()) {
    hash.update(w.shape.join('x'));
    const values = w.dataSync() as Float32Array;
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  hash.update(trainSet.images);
  hash.update(trainSet.labels);
  return hash.digest('hex');
}

/** The cached predictions in `dir` for `key`, or undefined when there are none, they are for another key, or the file is damaged. */
export async function readTeacherTargets(dir: string, key: string, images: number, classes: number): Promise<Float32Array | undefined> {
  let meta: TeacherCacheMeta;
  let bytes: Buffer;
  try {
    meta = JSON.parse(await readFile(join(dir, META), 'utf8')) as TeacherCacheMeta;
    if (meta.version !== 1 || meta.key !== key || meta.images !== images || meta.classes !== classes) return undefined;
    bytes = await readFile(join(dir, DATA));
  } catch {
    return undefined;
  }
  if (bytes.byteLength !== images * classes * 4) return undefined;
  const probs = new Float32Array(images * classes);
  new Uint8Array(probs.buffer).set(bytes);
  for (let i = 0; i < probs.length; i++) if (!Number.isFinite(probs[i])) return undefined;
  return probs;
}

/** Writes the predictions to `dir`: the old key goes first, then the data, then the key that makes it valid. */
export async function writeTeacherTargets(dir: string, key: string, probs: Float32Array, classes: number): Promise<void> {
  const meta: TeacherCacheMeta = { version: 1, key, images: probs.length / classes, classes };
  await mkdir(dir, { recursive: true });
  await rm(join(dir, META), { force: true });
  await writeFileAtomic(join(dir, DATA), new Uint8Array(probs.buffer, probs.byteOffset, probs.byteLength));
  await writeFileAtomic(join(dir, META), JSON.stringify(meta));
}
