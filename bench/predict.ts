/**
 * Inference speed of the default model, side by side with `@vladmandic/human`'s emotion model.
 *
 *   npm run bench:predict -- [--json] [--backend wasm] [--iterations 10] [--single 50] [--batch-size 64] [--rounds 3] [--no-peer] [--no-fold] [--no-compile] [--tta none|flip|auto|ten-crop] [--faces <fer2013 dir>]
 *
 * Uses the shipped weights when `weights/model.json` exists, else an untrained default model (same
 * architecture, same cost). Measures what `predictEmotion` runs (the batch-norm-folded model compiled into
 * tfjs-core ops, `src/model/compile.ts`): its throughput at batch 64 and the latency of one
 * image at batch 1, after warm-up calls; `--tta` times what `predictEmotion(x, { tta })` runs (2 or 10
 * views per image, averaged; `auto`: the mirror only where the first view is unsure), by default the
 * shipped default model's own mode for `--weights weights` (`VARIANT_TTA`), one view for other weights. The peer, human's emotion model (oarriaga's mini-Xception,
 * 64×64 input, `node_modules/@vladmandic/human/models/emotion.*`, a dev dependency), runs in the
 * same process on the same backend, in alternating rounds (medians reported), so the ratios hold
 * even though this machine's timings drift ±10–20% between runs. Prints human-readable lines and,
 * last, one JSON object: `{"imagesPerSecond","msPerImage","peer":{…},"ratioBatch","ratioSingle","backend"}`.
 *
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { tf, tfl } from '../src/backends/tf.js';
import { selectBackend } from '../src/backends/select.js';
import { buildCnnLstm } from '../src/model/cnn-lstm.js';
import { loadModel, readModelArtifacts } from '../src/model/io.js';
import { InferencePass } from '../src/model/fold.js';
import { AUTO_TTA_CONFIDENCE, predictWithTta, type TtaMode } from '../src/inference/tta.js';
import { VARIANT_TTA } from '../src/inference/weights.js';
import { emitJson, modelCost, positiveInt, round } from './util.js';

const SHARED_FACES = '../shared/datasets/fer2013';
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    backend: { type: 'string' },
    weights: { type: 'string', default: 'weights' },
    iterations: { type: 'string' },
    single: { type: 'string' },
    'batch-size': { type: 'string' },
    rounds: { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
    'no-fold': { type: 'boolean', default: false },
    'no-compile': { type: 'boolean', default: false },
    tta: { type: 'string' },
    faces: { type: 'string' },
  },
});
const rounds = Math.max(1, positiveInt('rounds', values.rounds, 3));
const iterations = Math.max(1, positiveInt('iterations', values.iterations, 10));
const single = Math.max(1, positiveInt('single', values.single, 50));
const batchSize = Math.max(1, positiveInt('batch-size', values['batch-size'], 64));
if (values.tta !== undefined && !['none', 'flip', 'auto', 'ten-crop'].includes(values.tta)) {
  console.error(`--tta must be none, flip, auto or ten-crop, got ${values.tta}`);
  process.exit(2);
}
// default: what predictEmotion runs for these weights — the shipped default's own TTA for `weights`, none for others
const tta: TtaMode | undefined = values.tta === 'none' ? undefined
  : (values.tta as TtaMode | undefined) ?? (values.weights === 'weights' && VARIANT_TTA.default !== false ? VARIANT_TTA.default : undefined);

const backend = await selectBackend(values.backend);
let model: tfl.LayersModel;
const weightsFile = `${values.weights}/model.json`;
if (existsSync(weightsFile)) {
  model = await loadModel(values.weights!);
  console.log(`model: shipped weights from ${weightsFile}`);
} else {
  model = buildCnnLstm({ seed: 1 });
  console.log(`model: untrained default buildCnnLstm() (no ${weightsFile}; same architecture and cost as the shipped model)`);
}
const cost = modelCost(model);
console.log(`model cost: ${(cost.params / 1e6).toFixed(3)}M params, ${cost.mflopsPerImage} MFLOPs/image; backend: ${backend}`);
const size = (model.inputs[0].shape as number[])[1];

type Predictor = { name: string; size: number; run: (x: tf.Tensor4D) => tf.Tensor; faces?: tf.Tensor4D };

/**
 * Real faces for a predictor whose work depends on the image (`--tta auto` adds the mirror where the
 * first view is unsure): PublicTest images spread over the split (every k-th), from `--faces` or
 * ../shared when present; undefined (random pixels) otherwise.
 */
async function loadFaces(count: number): Promise<tf.Tensor4D | undefined> {
  const dir = values.faces ?? (existsSync(SHARED_FACES) ? SHARED_FACES : undefined);
  if (!dir) return undefined;
  const { FerDataset } = await import('../src/data/fer-dataset.js');
  const { pixelsToTensor } = await import('../src/training/loss.js');
  const data = (await FerDataset.fromDirectory(dir)).filter('PublicTest');
  const step = Math.max(1, Math.floor(data.length / count));
  const picked = data.subset(Array.from({ length: Math.min(count, data.length) }, (_, i) => i * step));
  return pixelsToTensor(picked.images, picked.size) as tf.Tensor4D;
}

/**
 * Seconds per call on a batch of `n`, averaged over `calls` after 2 warm-up calls: on `p.faces`
 * (a different slice each call, so data-dependent work is averaged over many faces), else on one
 * batch of random pixels.
 */
function secondsPerCall(p: Predictor, n: number, calls: number): number {
  const random = p.faces ? undefined : tf.randomUniform([n, p.size, p.size, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const inputs = p.faces
    ? Array.from({ length: calls }, (_, i) => tf.slice(p.faces!, (i * n) % Math.max(1, p.faces!.shape[0] - n + 1), n) as tf.Tensor4D)
    : [random!];
  const once = (i: number) => {
    const y = p.run(inputs[i % inputs.length]);
    y.dataSync();
    y.dispose();
  };
  once(0);
  once(1);
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) once(i);
  const seconds = (performance.now() - t0) / 1000 / calls;
  tf.dispose(inputs);
  return seconds;
}

/** human's emotion model as a graph model, or undefined (with the reason printed) when it is not installed. */
async function loadPeer(): Promise<Predictor | undefined> {
  let json: string | undefined;
  try {
    // the package's main file, then up to its root (its exports map does not expose package.json)
    let dir = dirname(createRequire(import.meta.url).resolve('@vladmandic/human'));
    while (!existsSync(join(dir, 'models', 'emotion.json')) && dirname(dir) !== dir) dir = dirname(dir);
    json = existsSync(join(dir, 'models', 'emotion.json')) ? join(dir, 'models', 'emotion.json') : undefined;
  } catch {
    json = undefined;
  }
  if (!json) {
    console.log('peer: @vladmandic/human is not installed (npm install --save-dev @vladmandic/human): side-by-side skipped');
    return undefined;
  }
  const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
  const artifacts = await readModelArtifacts(json);
  const graph = await loadGraphModel(tf.io.fromMemory(artifacts));
  const shape = graph.inputs[0].shape as number[];
  return { name: "@vladmandic/human emotion (mini-Xception)", size: shape[1], run: (x) => graph.predict(x) as tf.Tensor };
}

// what predictEmotion runs: batch norm folded into the convolutions, the model compiled into plain
// tfjs-core ops (--no-fold: the model as saved; --no-compile: the folded model's predict)
const pass = new InferencePass(model);
const runModel = values['no-fold'] ? model : pass.inferenceModel;
const compiled = !values['no-fold'] && !values['no-compile'];
const forward = compiled ? (x: tf.Tensor4D) => pass.forward(x) : (x: tf.Tensor4D) => runModel.predict(x) as tf.Tensor;
console.log(values['no-fold'] ? 'batch norm not folded (--no-fold)' : `batch norm folded into the convolutions, as predictEmotion runs it: ${model.layers.length} → ${runModel.layers.length} layers`);
console.log(compiled ? 'compiled into tfjs-core ops, as predictEmotion runs it' : 'run with tfjs-layers predict (not compiled)');
if (tta) console.log(`test-time augmentation: ${tta} (${tta === 'flip' ? '2 views per image' : tta === 'auto' ? `1 view per image, 2 where its top probability is below ${AUTO_TTA_CONFIDENCE}` : '10 views per image'})`);
const faces = await loadFaces(Math.max(batchSize * iterations, single));
console.log(faces ? `inputs: ${faces.shape[0]} FER-2013 PublicTest faces, a different slice each call` : `inputs: random pixels (no ${SHARED_FACES} and no --faces)`);
/** Share of the faces that `tta: 'auto'` gives the mirror image. */
let unsureShare: number | undefined;
if (tta === 'auto' && faces) {
  const probs = tf.tidy(() => tf.max(forward(faces), 1));
  const top = probs.dataSync();
  unsureShare = top.filter((v) => !(v >= AUTO_TTA_CONFIDENCE)).length / top.length;
  probs.dispose();
  console.log(`tta auto: ${(unsureShare * 100).toFixed(1)}% of these faces get the mirror image`);
}
const ours: Predictor = {
  name: 'fer-cnn-lstm', size, faces,
  run: (x) => tf.tidy(() => predictWithTta(forward, x, tta)),
};
const peer = values['no-peer'] ? undefined : await loadPeer();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timings = new Map<Predictor, { batch: number[]; single: number[] }>();
for (const p of [ours, peer].filter((p): p is Predictor => !!p)) timings.set(p, { batch: [], single: [] });
for (let r = 0; r < rounds; r++) {
  for (const [p, t] of timings) t.batch.push(secondsPerCall(p, batchSize, iterations));
  for (const [p, t] of timings) t.single.push(secondsPerCall(p, 1, single));
}
const stats = (p: Predictor) => {
  const t = timings.get(p)!;
  return { imagesPerSecond: batchSize / median(t.batch), msPerImage: median(t.single) * 1000 };
};
const mine = stats(ours);
const imagesPerSecond = mine.imagesPerSecond;
const msPerImage = mine.msPerImage;
console.log(`batch ${batchSize}: ${imagesPerSecond.toFixed(1)} images/s; batch 1: ${msPerImage.toFixed(2)} ms per image (medians of ${rounds} rounds of ${iterations} / ${single} calls)`);
let peerStats: { imagesPerSecond: number; msPerImage: number } | undefined;
if (peer) {
  peerStats = stats(peer);
  console.log(`peer ${peer.name}, ${peer.size}×${peer.size} input: batch ${batchSize}: ${peerStats.imagesPerSecond.toFixed(1)} images/s; batch 1: ${peerStats.msPerImage.toFixed(2)} ms per image`);
  console.log(`ratio (ours / peer speed): batch ${batchSize} ${(imagesPerSecond / peerStats.imagesPerSecond).toFixed(2)}×, batch 1 ${(peerStats.msPerImage / msPerImage).toFixed(2)}×`);
}
model.dispose();

if (values.json) {
  emitJson({
    imagesPerSecond: round(imagesPerSecond, 1), msPerImage: round(msPerImage, 3), backend, compiled, inputs: faces ? 'PublicTest faces' : 'random', ...(tta ? { tta } : {}),
    ...(unsureShare !== undefined ? { autoMirrorShare: round(unsureShare, 3) } : {}),
    ...(peerStats ? {
      peer: { name: peer!.name, imagesPerSecond: round(peerStats.imagesPerSecond, 1), msPerImage: round(peerStats.msPerImage, 3) },
      ratioBatch: round(imagesPerSecond / peerStats.imagesPerSecond, 2), ratioSingle: round(peerStats.msPerImage / msPerImage, 2),
    } : {}),
  });
}
