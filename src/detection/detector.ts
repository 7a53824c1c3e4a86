/**
 * The face detector: BlazeFace (the 256×256 "back camera" / full-photo variant), whose weights ship
 * in this package's `weights/face-detector/` (see `model-files.ts`), run with our own TensorFlow.js
 * (`@tensorflow/tfjs-converter` executes the graph model). This module runs the model over the
 * windows of a photo (`scan.ts`), decodes its outputs (`blazeface.ts`), merges overlapping
 * candidates (`boxes.ts`) and refines each face with a second look; {@link loadFaceDetector}
 * caches loaded detectors.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import type { Raster } from '../data/image.js';
import { blazeFaceAnchors, decodeBlazeFace, readBlazeFaceOutputs } from './blazeface.js';
import { clampBox, iou, weightedNms, type DetectedFace } from './boxes.js';
import { httpStatusOf } from '../model/io.js';
import { DEFAULT_DETECT_OPTIONS } from './defaults.js';
import { detectorModelHandler, resolveDetectorModel, type DetectorSource } from './model-files.js';
import { fitInput, letterbox, scanWindows, type InputShape, type MIN_FACE_SIZE, type ScanWindow } from './scan.js';

/** Options of {@link FaceDetector.detect}; their defaults: {@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}. */
export interface DetectOptions {
  /** Minimum face score (0–1) to report a face. Default 0.5 ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  minFaceScore?: number;
  /** At most this many faces, the highest scores first. Default 20 ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  maxFaces?: number;
  /** Boxes overlapping a better one by more than this intersection-over-union are merged into it. Default 0.3 ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  iouThreshold?: number;
  /**
   * Second look: run the detector again on a window around a face found, seen so that the face
   * spans about 51 input pixels, as a portrait's face does in the first look ({@link REFINE_WINDOW},
   * {@link REFINE_INPUT}). Small faces then get a fair score and a box the same
   * size relative to the face as a portrait's (which the FER framing relies on). `true`: every
   * face gets a second look (one more, smaller detector run per face); `false`: none; `'auto'` (default):
   * only the faces whose first look is unsure — a box side outside {@link REFINE_UNLESS} of the
   * photo's longer side, or a score below `minFaceScore` — since the others come out of the
   * first look framed as the second would frame them (measured in docs/face-detection.md).
   * Default `'auto'` ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}).
   */
  refine?: boolean | 'auto';
  /**
   * Smallest face side (pixels of the photo) to look for. The whole photo is seen with its longer
   * side at 256 pixels, which finds faces down to about 1/22 of that side; with a smaller `minFaceSize` the photo is
   * also scanned in overlapping tiles (halving their side per level: 3×3 tiles of a square photo,
   * then 7×7, …) until faces of that size are covered. At least {@link MIN_FACE_SIZE} (20 px; a
   * RangeError below). Default: no tiling.
   */
  minFaceSize?: number;
}

/**
 * Side of the refinement window in face-box sides. The window is seen at {@link REFINE_INPUT}
 * pixels, so the face's box spans `REFINE_INPUT / REFINE_WINDOW` ≈ 51 input pixels: as the astronaut
 * portrait's face does when the whole 512×512 portrait is seen at 256×256 (its box is a fifth of the photo);
 * with a window of 5 face sides at 256×256 the second look found the same faces (docs/face-detection.md), with 2.56 times the pixels.
 */
export const REFINE_WINDOW = 3.125;

/** Input side of the second look (a multiple of 32): 39% of the pixels of a 256×256 look, with the face as large in them as in a portrait's first look. */
export const REFINE_INPUT = 160;

/**
 * With `refine: 'auto'`, faces whose box side is outside this range of the photo's longer side get
 * a second look: the first look, which sees the whole photo with its longer side at 256 pixels, misses or mis-sizes faces
 * smaller than that, and mis-sizes faces that fill the frame (measured in docs/face-detection.md).
 */
export const REFINE_UNLESS: readonly [number, number] = [1 / 10, 1 / 2];

/** The defaults that {@link FaceDetector.detect} reads, checked against the option types. */
const DEFAULTS: Readonly<Required<Pick<DetectOptions, 'minFaceScore' | 'maxFaces' | 'iouThreshold' | 'refine'>>> = DEFAULT_DETECT_OPTIONS;

/** First-pass score threshold when refining: small faces score low at the first, coarse look. */
const CANDIDATE_SCORE = 0.25;

/** The loaded graph model, as far as it is used here. */
interface GraphModelLike {
  execute(x: tf.Tensor, outputs: string[]): tf.Tensor | tf.Tensor[];
  dispose(): void;
}

/**
 * BlazeFace's graph, readied to take inputs of any shape: the input's height and width are freed
 * (the graph is fully convolutional) and the four heads that feed its fixed-size reshapes are
 * named, to be read instead of its outputs. The model's own input side (256) is kept: it fixes the
 * anchors' stride. Returns new artifacts; the given ones are left as they are.
 *
 * @throws Error naming what is missing when the graph is not BlazeFace's.
 */
export function flexibleBlazeFace(artifacts: tf.io.ModelArtifacts): { artifacts: tf.io.ModelArtifacts; heads: string[]; inputSize: number } {
  interface Node { name: string; op: string; input?: string[]; attr?: { shape?: { shape?: { dim?: { size?: string | number }[] } } } }
  const topology = artifacts.modelTopology as { node?: Node[] } | undefined;
  const nodes = topology?.node ?? [];
  const placeholders = nodes.filter((n) => n.op === 'Placeholder');
  const dims = placeholders[0]?.attr?.shape?.shape?.dim?.map((d) => Number(d.size));
  const heads = nodes.filter((n) => n.op === 'Reshape').map((n) => (n.input?.[0] ?? '').replace(/:0$/, ''));
  const size = dims?.[1];
  if (placeholders.length !== 1 || !dims || dims.length !== 4 || typeof size !== 'number' || size !== dims[2] || dims[3] !== 3 || size % 32 !== 0) {
    throw new Error(`the face detector's input is ${JSON.stringify(dims ?? null)}: expected a BlazeFace model with input [1, size, size, 3]`);
  }
  if (heads.length !== 4 || heads.some((h) => !nodes.some((n) => n.name === h))) {
    throw new Error(`the face detector's graph has ${heads.length} reshaped outputs: expected BlazeFace's four (scores and regressors of two anchor grids)`);
  }
  const input = placeholders[0];
  const free: Node = { ...input, attr: { ...input.attr, shape: { shape: { dim: [{ size: '1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } } } };
  return { artifacts: { ...artifacts, modelTopology: { ...topology, node: nodes.map((n) => (n === input ? free : n)) } }, heads, inputSize: size };
}

/** The faces with their boxes clamped to the image (the detector's boxes of faces at the edge reach past it; landmarks are left as estimated). */
function inside(img: Raster, faces: DetectedFace[]): DetectedFace[] {
  return faces
    .map((f) => ({ ...f, box: clampBox(f.box, img.width, img.height) }))
    .filter((f) => f.box.width > 0 && f.box.height > 0);
}

/**
 * BlazeFace: finds faces in a full photo. Load it once with {@link FaceDetector.load} and call
 * {@link FaceDetector.detect} per image. Faces smaller than about 1/22 of the photo's longer side
 * are missed (the whole photo is seen with its longer side at 256 pixels) unless {@link DetectOptions.minFaceSize} asks
 * for a tiled scan.
 */
export class FaceDetector {
  /** The anchors of each input shape run so far (a few: the photos' aspect ratios and the second look's square). */
  private readonly anchors = new Map<string, Float32Array>();
  /** The detector's input values, reused by every run: each run fills them, makes its input tensor and disposes it after the (synchronous) model call, before any other run can start. */
  private readonly input: Float32Array;

  /**
   * @param model Runs the first looks (the whole photo, or the tiles of a tiled scan).
   * @param second Runs the second looks ({@link REFINE_INPUT} squares): the same weights loaded a
   * second time, because the wasm backend keeps each convolution's buffers for the last input
   * shape it ran and rebuilds them when the shape changes (measured: 4 ms per change, every
   * refined photo twice), while each copy keeps the one shape it always runs.
   * @param inputSize The model's own input side (256): the longer side of the first look's input.
   */
  private constructor(private readonly model: GraphModelLike, private readonly second: GraphModelLike, private readonly heads: string[], readonly inputSize: number) {
    this.input = new Float32Array(inputSize * inputSize * 3);
  }

  /**
   * Loads the detector from `source`, or the one shipped in the package's `weights/face-detector/`.
   *
   * @param weightsRoot Where to look for the shipped detector (the package's `weights/` folder);
   * default: beside the shipped emotion weights. Ignored when `source` is given.
   * @throws FaceDetectorMissingError when no source is given and the shipped files are missing.
   */
  static async load(source?: DetectorSource, weightsRoot?: string): Promise<FaceDetector> {
    const given = source ?? await resolveDetectorModel(weightsRoot);
    const location = given instanceof URL ? given.href : given;
    const handler = await detectorModelHandler(location);
    const io = typeof handler === 'string' ? tf.io.getLoadHandlers(handler)[0] ?? tf.io.browserHTTPRequest(handler) : handler;
    const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
    let ready: ReturnType<typeof flexibleBlazeFace>;
    let models: GraphModelLike[];
    try {
      if (typeof io.load !== 'function') throw new Error('the given IOHandler has no load()');
      ready = flexibleBlazeFace(await io.load());
      const fromMemory = { load: async () => ready.artifacts };
      const first = await loadGraphModel(fromMemory) as unknown as GraphModelLike;
      try {
        models = [first, await loadGraphModel(fromMemory) as unknown as GraphModelLike];
      } catch (e) {
        first.dispose();
        throw e;
      }
    } catch (e) {
      const where = typeof location === 'string' ? location : 'the given IOHandler';
      const status = httpStatusOf(e);
      if (status !== undefined) {
        throw new Error(`cannot load the face detector from ${where}: HTTP ${status}. Serve the package's detector there: `
          + 'copy node_modules/fer-cnn-lstm/weights/face-detector/ to the folder that URL names (by default face-detector/ beside the emotion weights), or pass `detector` with where it is');
      }
      throw new Error(`cannot load the face detector from ${where}: ${(e as Error).message}`);
    }
    return new FaceDetector(models[0], models[1], ready.heads, ready.inputSize);
  }

  /** Finds the faces in an image, best first. */
  async detect(img: Raster, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const minScore = options.minFaceScore ?? DEFAULTS.minFaceScore;
    const maxFaces = options.maxFaces ?? DEFAULTS.maxFaces;
    const iouThreshold = options.iouThreshold ?? DEFAULTS.iouThreshold;
    if (!(minScore >= 0 && minScore <= 1)) throw new RangeError(`minFaceScore must be in [0, 1], got ${minScore}`);
    if (!Number.isInteger(maxFaces) || maxFaces < 0) throw new RangeError(`maxFaces must be a non-negative integer, got ${maxFaces}`);
    if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new RangeError(`iouThreshold must be in [0, 1], got ${iouThreshold}`);
    const refine = options.refine ?? DEFAULTS.refine;
    if (refine !== true && refine !== false && refine !== 'auto') throw new RangeError(`refine must be true, false or 'auto', got ${String(refine)}`);
    if (maxFaces === 0) return [];
    if (refine === false && options.minFaceSize === undefined) return inside(img, weightedNms(await this.run(img, minScore), iouThreshold, maxFaces));
    const first: DetectedFace[] = [];
    for (const [x, y, side] of scanWindows(img.width, img.height, options.minFaceSize)) {
      first.push(...await this.run(img, Math.min(minScore, CANDIDATE_SCORE), { x, y, side }));
    }
    const candidates = weightedNms(first, iouThreshold, Math.max(2 * maxFaces, 10));
    if (refine === false) return inside(img, candidates.filter((c) => c.score >= minScore).slice(0, maxFaces));
    const long = Math.max(img.width, img.height);
    const refined: DetectedFace[] = [];
    for (const c of candidates) {
      const side = Math.max(c.box.width, c.box.height);
      const sure = refine === 'auto' && c.score >= minScore && side >= REFINE_UNLESS[0] * long && side <= REFINE_UNLESS[1] * long;
      const r = sure ? c : await this.refineFace(img, c);
      if (r && r.score >= minScore) refined.push(r);
    }
    return inside(img, weightedNms(refined, iouThreshold, maxFaces));
  }

  /** Looks again at a window around a candidate face; returns the face found there that overlaps the candidate most, in image pixels. */
  private async refineFace(img: Raster, candidate: DetectedFace): Promise<DetectedFace | undefined> {
    const { box } = candidate;
    const side = Math.max(box.width, box.height) * REFINE_WINDOW;
    const window = { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, side };
    const found = weightedNms(await this.run(img, CANDIDATE_SCORE, window, { width: REFINE_INPUT, height: REFINE_INPUT }, this.second), 0.3, 5).filter((f) => iou(f.box, box) > 0.3);
    if (found.length === 0) return undefined;
    return found.reduce((a, b) => (iou(b.box, box) > iou(a.box, box) ? b : a));
  }

  /**
   * One detector pass over a window of the image (default: all of it) with the first-look model,
   * or `second`: the candidates above `minScore` in image pixels, before NMS. The window's side
   * spans the input's longer side. The input is `shape`, by default the photo's aspect ratio with
   * its longer side at {@link FaceDetector.inputSize} when the window is the whole photo (as the
   * first window of {@link scanWindows} is), and that side squared for any other window (a tile).
   */
  private async run(img: Raster, minScore: number, window?: ScanWindow, shape?: InputShape, model: GraphModelLike = this.model): Promise<DetectedFace[]> {
    const long = Math.max(img.width, img.height);
    const win = window ?? { x: 0, y: 0, side: long };
    const whole = win.x === 0 && win.y === 0 && win.side === long;
    const input = shape ?? (whole ? fitInput(img.width, img.height, this.inputSize) : { width: this.inputSize, height: this.inputSize });
    const data = letterbox(img, input, win, this.input);
    const x = tf.tensor4d(data, [1, input.height, input.width, 3]);
    let outputs: tf.Tensor[];
    try {
      const y = model.execute(x, this.heads);
      outputs = Array.isArray(y) ? y : [y];
    } finally {
      x.dispose();
    }
    let scores: Float32Array, regressors: Float32Array;
    try {
      ({ scores, regressors } = await readBlazeFaceOutputs(outputs));
    } finally {
      tf.dispose(outputs);
    }
    const key = `${input.width}x${input.height}`;
    let anchors = this.anchors.get(key);
    if (!anchors) this.anchors.set(key, anchors = blazeFaceAnchors(input.width, input.height, this.inputSize / 16));
    if (anchors.length !== 2 * scores.length) throw new Error(`the face detector gave ${scores.length} anchors for a ${input.width}×${input.height} input: expected ${anchors.length / 2} (BlazeFace's strides ${this.inputSize / 16} and ${this.inputSize / 8})`);
    return decodeBlazeFace(scores, regressors, anchors, Math.max(input.width, input.height), minScore, win);
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
    this.second.dispose();
  }
}

const detectors = new Map<string, Promise<FaceDetector>>();
const detectorsByHandler = new WeakMap<tf.io.IOHandler, Promise<FaceDetector>>();

/**
 * The face detector, loaded once per location (or handler) and cached; a failed load is not
 * cached, so fixing the files and retrying works. Default: the detector shipped in the package.
 *
 * @throws FaceDetectorMissingError when no source is given and the shipped detector's files are missing.
 */
export function loadFaceDetector(source?: DetectorSource): Promise<FaceDetector> {
  if (source !== undefined && typeof source !== 'string' && !(source instanceof URL)) return cachedLoad(detectorsByHandler, source, source);
  return cachedLoad(detectors, source === undefined ? '' : String(source), source);
}

/** `FaceDetector.load(source)` once per `key` of `cache`; a failed load leaves the cache. */
function cachedLoad<K>(cache: { get(k: K): Promise<FaceDetector> | undefined; set(k: K, v: Promise<FaceDetector>): unknown; delete(k: K): unknown }, key: K, source?: DetectorSource): Promise<FaceDetector> {
  const cached = cache.get(key);
  if (cached) return cached;
  const p = FaceDetector.load(source);
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  return p;
}
