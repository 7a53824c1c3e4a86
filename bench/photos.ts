/**
 * Photos per second end to end — decode, detect, crop, classify — side by side with
 * `@vladmandic/human`'s face pipeline (and `@vladmandic/face-api`'s, when installed).
 *
 *   npm run bench:photos -- [--json] [--rounds 3] [--scenes 120] [--faces <fer2013 dir>] [--no-peer] [--no-face-api]
 *
 * The inputs are scenes built in memory, the same every run (seeded): FER-2013 PublicTest faces
 * (`<faces>/test/<emotion>/PublicTest_*.jpg`, spread over the split) and, every 8th scene, one of
 * `examples/images/*.png`, scaled up to 96–160 px and pasted at a random place into a 320×240 or
 * 640×480 background (noise, or a gradient with noise), each encoded as a JPEG (jpeg-js, quality 85), so
 * that decoding is part of what is timed. One face per scene.
 *
 * - ours: the root `classifyEmotion(bytes)` (`src/index.ts`): decodes the JPEG (jpeg-js), finds the
 *   most prominent face with the shipped BlazeFace detector (a second look where the first is unsure), crops it as FER-2013 faces are framed
 *   and classifies it, as the library runs it by default (the shipped default model, its `tta: 'auto'`);
 * - human: `@vladmandic/human`'s `human.detect()` (its `dist/human.node-wasm.js` build, a dev
 *   dependency) with only the face detector (BlazeFace, 1 face, no rotation) and the emotion model
 *   on (mesh, iris, description, antispoof, liveness, body, hand, object, gesture, segmentation
 *   off; its frame cache and skip-frames off, since every photo is new), on a tensor that the same
 *   decoder (jpeg-js) made from the same bytes — the decoding is inside the timing;
 * - face-api: `@vladmandic/face-api`'s `detectAllFaces(tensor).withFaceExpressions()` (its
 *   `dist/face-api.node-wasm.js` build, SSD MobileNet v1 with its default options, models from the
 *   package's `model/` folder), on a jpeg-js-decoded tensor as well. Skipped (and said so) when
 *   it is not installed.
 *
 * All run in one process on the wasm backend (one shared TensorFlow.js engine), one photo per call,
 * in alternating rounds (ours, human, face-api, ours, …) after a warm-up; photos/s are medians of
 * the rounds and the ratios are computed within the run, since timings on shared machines drift
 * ±10–20% between runs. Also printed: in how many scenes each pipeline found a face, and in how
 * many the face it reported is the pasted one (its box's centre inside the pasted square).
 * Without the FER-2013 folder the benchmark prints why and exits 0. Prints human-readable lines
 * and, with `--json`, one JSON object last.
 *
 * @packageDocumentation
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import { tf } from '../src/backends/tf.js';
import { selectBackend } from '../src/backends/select.js';
import { classifyEmotion, NoFaceError } from '../src/index.js';
import { decodeImage } from '../src/data/decode.js';
import { readModelArtifacts } from '../src/model/io.js';
import type { Raster } from '../src/data/image.js';
import { Random } from '../src/util/random.js';
import { emitJson, median, positiveInt, round } from './util.js';

const SHARED_FACES = '../shared/datasets/fer2013';
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    scenes: { type: 'string' },
    faces: { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
    'no-face-api': { type: 'boolean', default: false },
  },
});
const rounds = Math.max(1, positiveInt('rounds', values.rounds, 3));
const sceneCount = Math.max(1, positiveInt('scenes', values.scenes, 120));
const facesRoot = values.faces ?? SHARED_FACES;
const testDir = join(facesRoot, 'test');
const require = createRequire(import.meta.url);

/** The PublicTest JPEGs under `<faces>/test/<emotion>/`, sorted (emotion folder, then name). */
function publicTestFiles(): string[] {
  if (!existsSync(testDir)) return [];
  const files: string[] = [];
  for (const emotion of readdirSync(testDir).sort()) {
    const dir = join(testDir, emotion);
    try {
      for (const f of readdirSync(dir).sort()) if (f.startsWith('PublicTest_') && f.endsWith('.jpg')) files.push(join(dir, f));
    } catch {
      // not a folder
    }
  }
  return files;
}

const ferFiles = publicTestFiles();
if (ferFiles.length === 0) {
  console.log(`bench:photos: no FER-2013 PublicTest faces in ${resolve(testDir)} (<emotion>/PublicTest_*.jpg); pass --faces <fer2013 dir>. Nothing measured.`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// scenes

/** A raster as 8-bit RGB. */
function toRgb(r: Raster): { width: number; height: number; data: Uint8Array } {
  const n = r.width * r.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = i * r.channels;
    if (r.channels <= 2) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = r.data[s];
    else for (let c = 0; c < 3; c++) out[i * 3 + c] = r.data[s + c];
  }
  return { width: r.width, height: r.height, data: out };
}

/** Bilinear resize of RGB to `side × side`. */
function resizeRgb(src: { width: number; height: number; data: Uint8Array }, side: number): Uint8Array {
  const out = new Uint8Array(side * side * 3);
  const sx = src.width / side, sy = src.height / side;
  for (let y = 0; y < side; y++) {
    const fy = Math.min(src.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(src.height - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < side; x++) {
      const fx = Math.min(src.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(src.width - 1, x0 + 1), wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = src.data[(y0 * src.width + x0) * 3 + c], b = src.data[(y0 * src.width + x1) * 3 + c];
        const d = src.data[(y1 * src.width + x0) * 3 + c], e = src.data[(y1 * src.width + x1) * 3 + c];
        out[(y * side + x) * 3 + c] = Math.round((a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy);
      }
    }
  }
  return out;
}

interface Scene {
  bytes: Uint8Array;
  width: number;
  height: number;
  /** The pasted face's square, pixels of the scene. */
  face: { x: number; y: number; side: number };
  source: string;
}

/** The scenes, the same every run: a face pasted into a noise or gradient background, JPEG-encoded. */
function buildScenes(count: number): Scene[] {
  const rng = new Random(20261206);
  const examples = readdirSync('examples/images').filter((f) => f.endsWith('.png')).sort().map((f) => join('examples/images', f));
  const exampleCount = examples.length ? Math.floor(count / 8) : 0;
  const step = Math.max(1, Math.floor(ferFiles.length / Math.max(1, count - exampleCount)));
  const scenes: Scene[] = [];
  let fer = 0, example = 0;
  for (let i = 0; i < count; i++) {
    const useExample = examples.length > 0 && i % 8 === 7;
    const source = useExample ? examples[example++ % examples.length] : ferFiles[(fer++ * step) % ferFiles.length];
    const face = toRgb(decodeImage(readFileSync(source)));
    const [width, height] = i % 2 === 0 ? [320, 240] : [640, 480];
    const rgba = new Uint8Array(width * height * 4);
    const base = [rng.int(256), rng.int(256), rng.int(256)];
    const end = [rng.int(256), rng.int(256), rng.int(256)];
    const gradient = i % 3 !== 0;
    const noise = gradient ? 12 : 40;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const t = gradient ? (x / width + y / height) / 2 : 0;
        for (let c = 0; c < 3; c++) {
          const v = base[c] * (1 - t) + end[c] * t + (rng.next() * 2 - 1) * noise;
          rgba[(y * width + x) * 4 + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
        rgba[(y * width + x) * 4 + 3] = 255;
      }
    }
    const side = 96 + rng.int(65);
    const fx = rng.int(width - side + 1), fy = rng.int(height - side + 1);
    const pixels = resizeRgb(face, side);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        for (let c = 0; c < 3; c++) rgba[((fy + y) * width + fx + x) * 4 + c] = pixels[(y * side + x) * 3 + c];
      }
    }
    const encoded = jpeg.encode({ data: rgba, width, height }, 85).data;
    scenes.push({ bytes: new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength), width, height, face: { x: fx, y: fy, side }, source });
  }
  return scenes;
}

/** RGB tensor [1, h, w, 3] (float32, 0–255) of a scene's JPEG, decoded with jpeg-js (the decoder `classifyEmotion` uses). */
function decodeToTensor(bytes: Uint8Array): tf.Tensor4D {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  return tf.tidy(() => tf.cast(tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32'), 'float32') as tf.Tensor4D);
}

// ---------------------------------------------------------------------------------------------
// pipelines

interface FaceBox { x: number; y: number; width: number; height: number }
/** One photo through a pipeline: the box of the face it classified (undefined: no face found). */
type Pipeline = { name: string; detail: string; run: (scene: Scene) => Promise<FaceBox | undefined> };

const ours: Pipeline = {
  name: 'fer-cnn-lstm',
  detail: 'classifyEmotion(bytes): jpeg-js decode, BlazeFace (shipped), the most prominent face, FER crop, default model',
  run: async (scene) => {
    try {
      const r = await classifyEmotion(scene.bytes);
      return r.box;
    } catch (e) {
      if (e instanceof NoFaceError) return undefined;
      throw e;
    }
  },
};

/** The root folder of an installed package (found from its main file), or undefined. */
function packageRoot(name: string, marker: string): string | undefined {
  try {
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, marker)) && dirname(dir) !== dir) dir = dirname(dir);
    return existsSync(join(dir, marker)) ? dir : undefined;
  } catch {
    return undefined;
  }
}

interface HumanResult { face: { box: [number, number, number, number]; emotion?: { score: number; emotion: string }[] }[] }
interface HumanInstance { load(): Promise<void>; detect(input: tf.Tensor, config?: object): Promise<HumanResult>; version: string }

/** human's face pipeline (BlazeFace + its emotion model only), or undefined with the reason printed. */
async function loadHuman(): Promise<Pipeline | undefined> {
  const root = packageRoot('@vladmandic/human', join('dist', 'human.node-wasm.js'));
  if (!root) {
    console.log('peer: @vladmandic/human is not installed (npm install --save-dev @vladmandic/human): skipped');
    return undefined;
  }
  // human's node-wasm build requires tfjs-core, tfjs-converter and tfjs-backend-wasm: the same
  // modules (one engine) as this package; its models load from file:// URLs through this router
  tf.io.registerLoadRouter((url: string | string[]): tf.io.IOHandler => {
    // a router answers null for URLs it does not handle (the type says IOHandler)
    if (typeof url !== 'string' || !url.startsWith('file://')) return null as unknown as tf.io.IOHandler;
    return { load: () => readModelArtifacts(url.slice('file://'.length)) };
  });
  const { Human } = require(join(root, 'dist', 'human.node-wasm.js')) as { Human: new (config: object) => HumanInstance };
  const off = { enabled: false };
  const config = {
    backend: 'wasm',
    wasmPath: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`,
    modelBasePath: `file://${join(root, 'models')}/`,
    debug: false,
    warmup: 'none',
    cacheSensitivity: 0,
    cacheModels: false,
    face: {
      enabled: true,
      detector: { enabled: true, rotation: false, maxDetected: 1, skipFrames: 0, skipTime: 0, return: false },
      mesh: off, attention: off, iris: off, description: off, antispoof: off, liveness: off, gear: off, ssrnet: off, mobilefacenet: off, insightface: off,
      emotion: { enabled: true, skipFrames: 0, skipTime: 0 },
    },
    body: off, hand: off, object: off, gesture: off, segmentation: off,
  };
  const human = new Human(config);
  await human.load();
  return {
    name: '@vladmandic/human',
    detail: `${human.version} (dist/human.node-wasm.js): human.detect() on a jpeg-js-decoded tensor; BlazeFace (1 face) + emotion model, other modules off`,
    run: async (scene) => {
      const t = decodeToTensor(scene.bytes);
      try {
        const r = await human.detect(t, config);
        const f = r.face[0];
        return f && f.emotion?.length ? { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] } : undefined;
      } finally {
        t.dispose();
      }
    },
  };
}

interface FaceApiResult { detection: { box: FaceBox }; expressions: Record<string, number> }
interface FaceApi {
  version: string;
  nets: Record<'ssdMobilenetv1' | 'faceExpressionNet', { loadFromDisk(dir: string): Promise<void> }>;
  detectAllFaces(input: tf.Tensor): { withFaceExpressions(): Promise<FaceApiResult[]> };
}

/** face-api's `detectAllFaces().withFaceExpressions()`, or undefined with the reason printed. */
async function loadFaceApi(): Promise<Pipeline | undefined> {
  const root = packageRoot('@vladmandic/face-api', join('dist', 'face-api.node-wasm.js'));
  if (!root) {
    console.log('peer: @vladmandic/face-api is not installed (npm install --save-dev @vladmandic/face-api): skipped');
    return undefined;
  }
  const modelDir = join(root, 'model');
  if (!existsSync(join(modelDir, 'ssd_mobilenetv1_model-weights_manifest.json')) || !existsSync(join(modelDir, 'face_expression_model-weights_manifest.json'))) {
    console.log(`peer: @vladmandic/face-api has no models in ${modelDir}: skipped`);
    return undefined;
  }
  // its node-wasm build requires the `@tensorflow/tfjs` union package, which is not installed
  // here; it uses tfjs-core's API only, so the require is pointed at tfjs-core (the same engine)
  const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = loader._resolveFilename;
  const core = require.resolve('@tensorflow/tfjs-core');
  loader._resolveFilename = function (request: string, ...rest: unknown[]) {
    return original.call(this, request === '@tensorflow/tfjs' ? core : request, ...rest);
  };
  let faceapi: FaceApi;
  try {
    faceapi = require(join(root, 'dist', 'face-api.node-wasm.js')) as FaceApi;
  } catch (e) {
    console.log(`peer: @vladmandic/face-api could not be loaded (${(e as Error).message.split('\n')[0]}): skipped`);
    return undefined;
  } finally {
    loader._resolveFilename = original;
  }
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
  return {
    name: '@vladmandic/face-api',
    detail: `${faceapi.version} (dist/face-api.node-wasm.js): detectAllFaces(tensor).withFaceExpressions() on a jpeg-js-decoded tensor; SSD MobileNet v1, default options`,
    run: async (scene) => {
      const t = decodeToTensor(scene.bytes);
      try {
        const faces = await faceapi.detectAllFaces(t).withFaceExpressions();
        if (faces.length === 0) return undefined;
        // the most prominent, as classifyEmotion picks it (largest box)
        return faces.map((f) => f.detection.box).reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
      } finally {
        t.dispose();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// run

const backend = await selectBackend('wasm');
let t0 = performance.now();
const scenes = buildScenes(sceneCount);
const sizes = [...new Set(scenes.map((s) => `${s.width}×${s.height}`))].join(' and ');
const meanKb = scenes.reduce((a, s) => a + s.bytes.length, 0) / scenes.length / 1024;
console.log(`scenes: ${scenes.length} (${sizes}, one face of 96–160 px each: ${scenes.filter((s) => s.source.includes('PublicTest_')).length} FER-2013 PublicTest faces from ${resolve(testDir)}, `
  + `${scenes.filter((s) => !s.source.includes('PublicTest_')).length} examples/images/*.png), JPEG q85, ${meanKb.toFixed(1)} KB on average; built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`backend: ${backend} (every pipeline, one process); ${rounds} alternating rounds, one photo per call`);

const pipelines: Pipeline[] = [ours];
if (!values['no-peer']) {
  const human = await loadHuman();
  if (human) pipelines.push(human);
  if (!values['no-face-api']) {
    const faceApi = await loadFaceApi();
    if (faceApi) pipelines.push(faceApi);
  }
}
for (const p of pipelines) console.log(`  ${p.name}: ${p.detail}`);

// warm-up: models loaded, kernels compiled, for every scene size
t0 = performance.now();
for (const p of pipelines) for (const s of scenes.slice(0, 6)) await p.run(s);
console.log(`warm-up: 6 photos each, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const tensorsAfterWarmUp = tf.memory().numTensors;
// what every pipeline spends on decoding alone (jpeg-js, to RGBA as classifyEmotion decodes)
t0 = performance.now();
for (const s of scenes) jpeg.decode(s.bytes, { useTArray: true, formatAsRGBA: true });
const decodeMs = (performance.now() - t0) / scenes.length;

const inside = (b: FaceBox, s: Scene) => {
  const cx = b.x + b.width / 2, cy = b.y + b.height / 2;
  return cx >= s.face.x && cx <= s.face.x + s.face.side && cy >= s.face.y && cy <= s.face.y + s.face.side;
};
const seconds = new Map<Pipeline, number[]>(pipelines.map((p) => [p, []]));
/** Per pipeline, the seconds spent on each kind of scene (a pasted FER-2013 face, or an example photo with its smaller face), summed over the rounds. */
const byKind = new Map<Pipeline, { fer: number; example: number }>(pipelines.map((p) => [p, { fer: 0, example: 0 }]));
const kindOf = (s: Scene): 'fer' | 'example' => (s.source.includes('PublicTest_') ? 'fer' : 'example');
const found = new Map<Pipeline, { any: number; pasted: number }>();
for (let r = 0; r < rounds; r++) {
  for (const p of pipelines) {
    let any = 0, pasted = 0;
    const start = performance.now();
    for (const s of scenes) {
      const t0 = performance.now();
      const box = await p.run(s);
      byKind.get(p)![kindOf(s)] += (performance.now() - t0) / 1000;
      if (box) {
        any++;
        if (inside(box, s)) pasted++;
      }
    }
    seconds.get(p)!.push((performance.now() - start) / 1000);
    if (r === 0) found.set(p, { any, pasted });
  }
}

const stats = pipelines.map((p) => {
  const s = seconds.get(p)!;
  return { p, photosPerSecond: scenes.length / median(s), msPerPhoto: (median(s) * 1000) / scenes.length, rounds: s.map((x) => round(scenes.length / x, 1)), found: found.get(p)! };
});
for (const s of stats) {
  console.log(`${s.p.name}: ${s.photosPerSecond.toFixed(1)} photos/s (${s.msPerPhoto.toFixed(1)} ms per photo; rounds: ${s.rounds.join(', ')} photos/s); `
    + `a face in ${s.found.any} of ${scenes.length} scenes, the pasted face in ${s.found.pasted}`);
}
const kinds = { fer: scenes.filter((s) => kindOf(s) === 'fer').length, example: scenes.filter((s) => kindOf(s) === 'example').length };
for (const [kind, what] of [['fer', 'FER-2013 faces pasted at 96–160 px'], ['example', 'example photos pasted at 96–160 px (their faces 20–40 px)']] as const) {
  if (kinds[kind] === 0) continue;
  const rates = pipelines.map((p) => (kinds[kind] * rounds) / byKind.get(p)![kind]);
  console.log(`  ${kinds[kind]} scenes of ${what}: ${pipelines.map((p, i) => `${p.name} ${rates[i].toFixed(1)}`).join(', ')} photos/s`
    + `${rates.length > 1 ? ` (ours / ${pipelines[1].name}: ${(rates[0] / rates[1]).toFixed(2)}×)` : ''}`);
}
const mine = stats[0];
for (const s of stats.slice(1)) console.log(`ratio (ours / ${s.p.name}, photos/s): ${(mine.photosPerSecond / s.photosPerSecond).toFixed(2)}×`);
if (!values['no-peer'] && values['no-face-api']) console.log('@vladmandic/face-api: skipped (--no-face-api)');
console.log(`of which jpeg-js decoding alone: ${decodeMs.toFixed(1)} ms per photo (measured once, before the rounds)`);
console.log(`tensors: ${tensorsAfterWarmUp} after the warm-up (the models' weights), ${tf.memory().numTensors} after the rounds`);

if (values.json) {
  emitJson({
    photosPerSecond: round(mine.photosPerSecond, 1), msPerPhoto: round(mine.msPerPhoto, 2), decodeMsPerPhoto: round(decodeMs, 2), scenes: scenes.length, rounds, backend,
    facesFound: mine.found.any, pastedFacesFound: mine.found.pasted,
    peers: stats.slice(1).map((s) => ({
      name: s.p.name, photosPerSecond: round(s.photosPerSecond, 1), msPerPhoto: round(s.msPerPhoto, 2),
      facesFound: s.found.any, pastedFacesFound: s.found.pasted, ratio: round(mine.photosPerSecond / s.photosPerSecond, 2),
    })),
  });
}
