/**
 * The detector's second look (`refine`), measured: PublicTest faces pasted into 480×480 textured
 * scenes at several sizes (the face's side as a fraction of the scene's). For each size: how often
 * a face is found, the FER crop's side without refinement relative to with it, and the emotion
 * accuracy of the most prominent face with refinement always, never, and only where the first
 * look's box is outside the range where it agrees with the second (`refine: 'auto'`).
 *
 *   npx tsx scripts/refine-accuracy.ts [perClass=10]
 */
import { setBackend } from '../src/backends/select.js';
import { detectFaceCrops } from '../src/detection/detect-emotions.js';
import { mostProminent } from '../src/detection/photo.js';
import { classifyEmotion as classifyWhole } from '../src/inference/predict.js';
import { publicTestFaces, scene } from '../test/detection/scenes.js';

const perClass = Number(process.argv[2] ?? 10);
const size = 480;
await setBackend('wasm');
const faces = publicTestFaces(perClass);
const modes = { always: true, never: false, auto: 'auto' } as const;
console.log(`${faces.length} PublicTest faces (${perClass} per class) in ${size}×${size} scenes`);
console.log(`face/scene | found (${Object.keys(modes).join(', ')}) | crop side never/always (mean, min–max) | accuracy ${Object.keys(modes).join(' | ')} | ms per detection ${Object.keys(modes).join(' | ')}`);
for (const fraction of (process.argv[3] ?? "0.1,0.14,0.2,0.28,0.4,0.56,0.7,0.8").split(",").map(Number)) {
  const found: Record<string, number> = {}, correct: Record<string, number> = {}, ms: Record<string, number> = {};
  const ratios: number[] = [];
  for (const [i, f] of faces.entries()) {
    const s = scene(f.file, f.label, { size, faceSide: Math.round(fraction * size), seed: 7000 + i });
    const img = { width: s.width, height: s.height, channels: 4 as const, data: s.data };
    const crops: Record<string, { side: number } | undefined> = {};
    for (const [name, refine] of Object.entries(modes)) {
      const t0 = performance.now();
      const all = await detectFaceCrops(img, { refine } as never);
      ms[name] = (ms[name] ?? 0) + performance.now() - t0;
      if (all.length === 0) continue;
      found[name] = (found[name] ?? 0) + 1;
      const best = mostProminent(all);
      crops[name] = { side: best.crop.width };
      const [answer] = await classifyWhole([{ ...best.pixels }]);
      if (answer.emotion === f.label) correct[name] = (correct[name] ?? 0) + 1;
    }
    if (crops.always && crops.never) ratios.push(crops.never.side / crops.always.side);
  }
  const pct = (k = 0) => `${((100 * k) / faces.length).toFixed(1)}%`;
  const mean = ratios.reduce((a, b) => a + b, 0) / Math.max(1, ratios.length);
  console.log(`${fraction.toFixed(2)} | ${Object.keys(modes).map((k) => found[k] ?? 0).join(', ')} | ${mean.toFixed(3)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${Object.keys(modes).map((k) => pct(correct[k])).join(' | ')} | ${Object.keys(modes).map((k) => (ms[k] / faces.length).toFixed(0)).join(' | ')}`);
}
