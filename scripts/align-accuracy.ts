/**
 * Eye alignment, measured: PublicTest faces pasted into 192×192 textured scenes (96 px faces),
 * upright and rotated by ±10°, ±20°, ±30°; accuracy of `detectEmotions`' most prominent face with
 * `align: true` and `align: false`, and of the 48×48 originals. Numbers go to docs/face-detection.md.
 *
 *   npx tsx scripts/align-accuracy.ts [perClass=10]
 */
import { setBackend } from '../src/backends/select.js';
import { detectEmotions } from '../src/detection/detect-emotions.js';
import { classifyEmotion as classifyWhole } from '../src/inference/predict.js';
import { publicTestFaces, scene } from '../test/detection/scenes.js';

const perClass = Number(process.argv[2] ?? 10);
await setBackend('wasm');
const faces = publicTestFaces(perClass);
const originals = await classifyWhole(faces.map((f) => f.file));
const base = originals.filter((c, i) => c.emotion === faces[i].label).length;
console.log(`${faces.length} PublicTest faces (${perClass} per class); the 48×48 originals: ${(100 * base / faces.length).toFixed(1)}%`);
console.log('angle | found | align on | align off | mean |roll error| (deg)');
for (const degrees of [0, 10, -10, 20, -20, 30, -30]) {
  let found = 0, on = 0, off = 0, rollError = 0;
  for (const [i, f] of faces.entries()) {
    const s = scene(f.file, f.label, { size: 192, faceSide: 96, degrees, seed: 1000 * (degrees + 40) + i });
    const a = await detectEmotions(s, { align: true });
    if (a.length === 0) continue;
    found++;
    const best = (xs: typeof a) => xs.reduce((p, q) => (q.box.width * q.box.height * q.faceScore > p.box.width * p.box.height * p.faceScore ? q : p));
    const ba = best(a);
    rollError += Math.abs(ba.roll - degrees);
    if (ba.emotion === f.label) on++;
    if (best(await detectEmotions(s, { align: false })).emotion === f.label) off++;
  }
  const pct = (k: number) => `${(100 * k / faces.length).toFixed(1)}%`;
  console.log(`${String(degrees).padStart(4)}° | ${found}/${faces.length} | ${pct(on)} | ${pct(off)} | ${(rollError / Math.max(1, found)).toFixed(1)}`);
}
