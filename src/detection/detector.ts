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
import { letterbox, scanWindows, type MIN_FACE_SIZE, type ScanWindow } from './scan.js';

/** Options of {@link FaceDetector.detect}; their defaults: {@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}. */
export interface DetectOptions {
  /** Minimum face score (0–1) to report a face. Default 0.5 ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  minFaceScore?: number;
  /** At most this many faces, the highest scores first. Default 20 ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  maxFaces?: number;
  /** Boxes overlapping a better one by more than this intersection-over-union are merged into it. Default 0.3 ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  iouThreshold?: number;
  /**
   * Second look: run the detector again on a window around a face found, sized so that the face
   * fills a fifth of it (as in a portrait). Small faces then get a fair score and a box the same
   * size relative to the face as a portrait's (which the FER framing relies on). `true`: every
   * face gets a second look (one more detector run per face); `false`: none; `'auto'` (default):
   * only the faces whose first look is unsure — a box side outside {@link REFINE_UNLESS} of the
   * photo's longer side, or a score below `minFaceScore` — since the others come out of the
   * first look framed as the second would frame them (measured in docs/face-detection.md).
   * Default `'auto'` ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}).
   */
  refine?: boolean | 'auto';
  /**
   * Smallest face side (pixels of the photo) to look for. The whole photo is seen at 256×256, which
   * finds faces down to about 1/22 of its longer side; with a smaller `minFaceSize` the photo is
   * also scanned in overlapping tiles (halving their side per level: 3×3 tiles of a square photo,
   * then 7×7, …) until faces of that size are covered. At least {@link MIN_FACE_SIZE} (20 px; a
   * RangeError below). Default: no tiling.
   */
  minFaceSize?: number;
}

/** Side of the refinement window in face-box sides (the astronaut portrait's face box is about a fifth of the photo). */
export const REFINE_WINDOW = 5;

/**
 * With `refine: 'auto'`, faces whose box side is outside this range of the photo's longer side get
 * a second look: the first look, which sees the whole photo at 256×256, misses or mis-sizes faces
 * smaller than that, and mis-sizes faces that fill the frame (measured in docs/face-detection.md).
 */
export const REFINE_UNLESS: readonly [number, number] = [1 / 10, 1 / 2];

/** The defaults that {@link FaceDetector.detect} reads, checked against the option types. */
const DEFAULTS: Readonly<Required<Pick<DetectOptions, 'minFaceScore' | 'maxFaces' | 'iouThreshold' | 'refine'>>> = DEFAULT_DETECT_OPTIONS;

/** First-pass score threshold when refining: small faces score low at the first, coarse look. */
const CANDIDATE_SCORE = 0.25;

/** The loaded graph model, as far as it is used here. */
interface GraphModelLike {
  inputs: { shape?: number[] }[];
  execute(x: tf.Tensor): tf.Tensor | tf.Tensor[];
  dispose(): void;
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
 * are missed (the whole photo is seen at 256×256) unless {@link DetectOptions.minFaceSize} asks
 * for a tiled scan.
 */
export class FaceDetector {
  private readonly anchors: Float32Array;
  /** The detector's input values, reused by every run: each run fills them, makes its input tensor and disposes it after the (synchronous) model call, before any other run can start. */
  private readonly input: Float32Array;

  private constructor(private readonly model: GraphModelLike, readonly inputSize: number) {
    this.anchors = blazeFaceAnchors(inputSize);
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
    const { loadGraphModel } = await import('@tensorflow/tfjs-converter');
    let model: GraphModelLike;
    try {
      model = await loadGraphModel(handler) as unknown as GraphModelLike;
    } catch (e) {
      const where = typeof location === 'string' ? location : 'the given IOHandler';
      const status = httpStatusOf(e);
      if (status !== undefined) {
        throw new Error(`cannot load the face detector from ${where}: HTTP ${status}. Serve the package's detector there: `
          + 'copy node_modules/fer-cnn-lstm/weights/face-detector/ to the folder that URL names (by default face-detector/ beside the emotion weights), or pass `detector` with where it is');
      }
      throw new Error(`cannot load the face detector from ${where}: ${(e as Error).message}`);
    }
    const shape = model.inputs[0]?.shape;
    const size = shape?.[1];
    if (!shape || shape.length !== 4 || typeof size !== 'number' || size !== shape[2] || shape[3] !== 3 || size % 16 !== 0) {
      model.dispose();
      throw new Error(`the face detector's input is ${JSON.stringify(shape)}: expected a BlazeFace model with input [1, size, size, 3]`);
    }
    return new FaceDetector(model, size);
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
    const found = weightedNms(await this.run(img, CANDIDATE_SCORE, window), 0.3, 5).filter((f) => iou(f.box, box) > 0.3);
    if (found.length === 0) return undefined;
    return found.reduce((a, b) => (iou(b.box, box) > iou(a.box, box) ? b : a));
  }

  /** One detector pass over a window of the image (default: all of it): the candidates above `minScore` in image pixels, before NMS. */
  private async run(img: Raster, minScore: number, window?: ScanWindow): Promise<DetectedFace[]> {
    const size = this.inputSize;
    const win = window ?? { x: 0, y: 0, side: Math.max(img.width, img.height) };
    const data = letterbox(img, size, win, this.input);
    const x = tf.tensor4d(data, [1, size, size, 3]);
    let outputs: tf.Tensor[];
    try {
      const y = this.model.execute(x);
      outputs = Array.isArray(y) ? y : [y];
    } finally {
      x.dispose();
    }
    let scores: Float32Array, regressors: Float32Array;
    try {
      ({ scores, regressors } = await readBlazeFaceOutputs(outputs, this.anchors, size));
    } finally {
      tf.dispose(outputs);
    }
    return decodeBlazeFace(scores, regressors, this.anchors, size, minScore, win);
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
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
