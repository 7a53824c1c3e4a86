/**
 * The teacher's predictions kept in the checkpoint folder: the key follows the teacher's weights,
 * the test-time augmentation and the training images; a damaged or foreign file is not used.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTeacherTargets, teacherKey, writeTeacherTargets } from '../../src/training/teacher-cache.js';
import { onWasmWithoutLeaks, patternedDataset, tinyModel } from './helpers.js';

onWasmWithoutLeaks();
const dir = mkdtempSync(join(tmpdir(), 'fer-teacher-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('teacher cache', () => {
  it('keys on the weights, the TTA and the images', () => {
    const ds = patternedDataset(8);
    const [teacher, same, other] = [3, 3, 4].map((seed) => tinyModel({ seed }));
    const key = teacherKey(teacher, ds, 'flip');
    expect(teacherKey(same, ds, 'flip')).toBe(key);
    expect(teacherKey(other, ds, 'flip')).not.toBe(key);
    expect(teacherKey(teacher, ds, 'ten-crop')).not.toBe(key);
    expect(teacherKey(teacher, patternedDataset(8, { seed: 6 }), 'flip')).not.toBe(key);
    expect(teacherKey(teacher, patternedDataset(9), 'flip')).not.toBe(key);
    for (const m of [teacher, same, other]) m.dispose();
  });

  it('reads back what it wrote, for that key and shape only; a damaged file is no cache', async () => {
    const probs = Float32Array.from({ length: 4 * 7 }, (_, i) => (i % 7) / 21);
    await writeTeacherTargets(dir, 'k1', probs, 7);
    expect(await readTeacherTargets(dir, 'k1', 4, 7)).toEqual(probs);
    expect(await readTeacherTargets(dir, 'k2', 4, 7)).toBeUndefined();
    expect(await readTeacherTargets(dir, 'k1', 5, 7)).toBeUndefined();
    expect(await readTeacherTargets(join(dir, 'none'), 'k1', 4, 7)).toBeUndefined();
    truncateSync(join(dir, 'teacher-targets.bin'), 10);
    expect(await readTeacherTargets(dir, 'k1', 4, 7)).toBeUndefined();
    const nan = probs.slice();
    nan[3] = NaN;
    await writeTeacherTargets(dir, 'k1', nan, 7);
    expect(await readTeacherTargets(dir, 'k1', 4, 7)).toBeUndefined();
    writeFileSync(join(dir, 'teacher-targets.json'), '{not json');
    expect(await readTeacherTargets(dir, 'k1', 4, 7)).toBeUndefined();
  });
});
