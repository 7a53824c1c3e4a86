/**
 * Eye alignment, measured: PublicTest faces pasted into 192×192 textured scenes (96 px faces),
 * upright and rotated by ±10°, ±20°, ±30°. Each scene's most prominent detected face is classified
 * cropped as it is (no alignment), turned upright by its eye roll (alignment), and turned upright
 * only when its roll is at least 10° or 15°; plus the 48×48 originals. Numbers go to
 * docs/face-detection.md.
 *
 *   npx tsx scripts/align-accuracy.ts [perClass=10]
 */
import { setBackend } from '../src/backends/select.js';
import { cropRaster, rotatedCropRaster } from '../src/detection/crop.js';
import { detectFaceCrops } from '../src/detection/detect-emotions.js';
import { mostProminent } from '../src/detection/photo.js';
import { classifyEmotion as classifyWhole } from '../src/inference/predict.js';
import { publicTestFaces, scene } from '../test/detection/scenes.js';

const perClass = Number(process.argv[2] ?? 10);
await setBackend('wasm');
const faces = publicTestFaces(perClass);
const originals = await classifyWhole(faces.map((f) => f.file));
const base = originals.filter((c, i) => c.emotion === faces[i].label).length;
const pct = (k: number) => `${(100 * k / faces.length).toFixed(1)}%`;
console.log(`${faces.length} PublicTest faces (${perClass} per class); the 48×48 originals: ${pct(base)}`);
const variants = { off: Infinity, on: 0, 'on ≥10°': 10, 'on ≥15°': 15 } as const;
console.log(`angle | found | ${Object.keys(variants).join(' | ')} | mean |roll − angle| (°)`);
const totals: Record<string, number> = Object.fromEntries(Object.keys(variants).map((k) => [k, 0]));
for (const degrees of [0, 10, -10, 20, -20, 30, -30]) {
  let found = 0, rollError = 0;
  const correct: Record<string, number> = Object.fromEntries(Object.keys(variants).map((k) => [k, 0]));
  for (const [i, f] of faces.entries()) {
    const s = scene(f.file, f.label, { size: 192, faceSide: 96, degrees, seed: 1000 * (degrees + 40) + i });
    const img = { width: s.width, height: s.height, channels: 4 as const, data: s.data };
    const all = await detectFaceCrops(img, { align: false });
    if (all.length === 0) continue;
    found++;
    const best = mostProminent(all);
    rollError += Math.abs(best.roll - degrees);
    const rad = (best.roll * Math.PI) / 180;
    const crops = Object.values(variants).map((min) => (Math.abs(best.roll) >= min ? rotatedCropRaster(img, best.crop, rad) : cropRaster(img, best.crop)));
    const answers = await classifyWhole(crops.map((c) => ({ ...c })));
    Object.keys(variants).forEach((k, j) => { if (answers[j].emotion === f.label) correct[k]++; });
  }
  for (const k of Object.keys(variants)) totals[k] += correct[k];
  console.log(`${String(degrees).padStart(4)}° | ${found}/${faces.length} | ${Object.keys(variants).map((k) => pct(correct[k])).join(' | ')} | ${(rollError / Math.max(1, found)).toFixed(1)}`);
}
console.log(`mean | | ${Object.keys(variants).map((k) => `${(100 * totals[k] / (7 * faces.length)).toFixed(1)}%`).join(' | ')} |`);
