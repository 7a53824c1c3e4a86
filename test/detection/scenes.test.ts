/**
 * Full photos with the shipped model: PublicTest faces pasted (96 px) into 192×192 textured
 * scenes. The default path (`classifyEmotion`, faces 'auto') must answer exactly what detecting
 * the faces does (`detectEmotions`, as `predict --faces`), hence the same accuracy — and far
 * better than the whole frame. Needs ../shared (skips with a message where it is absent).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { detectEmotions } from '../../src/detection/detect-emotions.js';
import { classifyEmotion, NoFaceError } from '../../src/detection/photo.js';
import { ROOT } from './fixtures.js';
import { publicTestFaces, scene, SHARED_SKIP, type Scene } from './scenes.js';

const NO_WEIGHTS = existsSync(join(ROOT, 'weights', 'model.json')) ? undefined : 'the shipped weights are missing';
const skip = SHARED_SKIP ?? NO_WEIGHTS;
if (skip) console.warn(`[scenes] skipped: ${skip}`);

describe.skipIf(skip !== undefined)(skip ? `scenes — SKIPPED: ${skip}` : 'PublicTest faces in larger scenes', () => {
  let scenes: Scene[];
  beforeAll(async () => {
    await setBackend('wasm');
    scenes = publicTestFaces(5).map((f, i) => scene(f.file, f.label, { size: 192, faceSide: 96, seed: i + 1 }));
  });

  it('the default answer equals --faces (the most prominent detected face) on every scene: same accuracy', async () => {
    let auto = 0, faces = 0, whole = 0, noFace = 0;
    for (const s of scenes) {
      const found = await detectEmotions(s);
      let answer;
      try {
        answer = await classifyEmotion(s);
      } catch (e) {
        expect(e).toBeInstanceOf(NoFaceError);
        expect(found).toEqual([]);
        noFace++;
        continue;
      }
      const best = found.reduce((a, b) => (b.box.width * b.box.height * b.faceScore > a.box.width * a.box.height * a.faceScore ? b : a));
      expect(answer.scores, s.file).toEqual(best.scores);
      expect(answer.faceCount).toBe(found.length);
      if (answer.emotion === s.label) auto++;
      if (best.emotion === s.label) faces++;
      if ((await classifyEmotion(s, { faces: 'crop' })).emotion === s.label) whole++;
    }
    const pct = (k: number): string => `${((100 * k) / scenes.length).toFixed(1)}%`;
    console.log(`[scenes] ${scenes.length} scenes: default ${pct(auto)}, --faces ${pct(faces)}, whole frame ${pct(whole)}, no face found ${noFace}`);
    expect(auto).toBe(faces);
    expect(noFace).toBeLessThanOrEqual(scenes.length * 0.1);
    expect(auto).toBeGreaterThan(whole + scenes.length * 0.15);
  }, 300_000);
});
