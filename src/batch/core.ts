/**
 * The work of one batch task, the same in a worker thread and in this thread: read and convert
 * each file on its own (so that a bad file is one error, not the end of the task), classify the
 * good ones in one forward pass — exactly as `classifyEmotion` does for each file — or,
 * with `faces`, find and classify every face of each photo with `detectEmotions`.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import type { Box } from '../detection/boxes.js';
import type { Raster } from '../data/image.js';
import type { Emotion } from '../emotions.js';
import type { Classification } from '../inference/predict.js';
import type { WeightPrecision } from '../model/quantize.js';
import type { TtaMode } from '../inference/tta.js';
import type { EmotionClassifier } from '../inference/classifier.js';
import type { ClassPrior } from '../inference/prior.js';
import type { ModelVariant } from '../inference/variants.js';
import { oneLine } from '../util/text.js';

/** Options of one task: what every worker needs to load the model and the detector. Plain data (sent to worker threads). */
export interface TaskOptions {
  /** Weights to use instead of the shipped ones: a folder or `model.json` path. */
  weights?: string;
  /** Which shipped model (`'default'` or `'accurate'`). Default `'default'`. Ignored with `weights`. */
  variant?: ModelVariant;
  /** Stored precision of the shipped weights. Default `'float32'`. */
  precision?: WeightPrecision;
  /**
   * Test-time augmentation, as `classifyEmotion`'s `tta`: `true`/`'flip'` (with the mirror image),
   * `'auto'` or `'ten-crop'`. Default: the shipped variant's own, none for `weights` of your own.
   */
  tta?: TtaMode;
  /** The class prior of the answers (see `ClassPrior`). Default `'training'`. */
  classPrior?: ClassPrior;
  /** TensorFlow.js backend (default: the best available: tfjs-node if installed, else wasm). */
  backend?: string;
  /** Find every face of each photo (BlazeFace, shipped in the package) and classify each. */
  faces?: boolean;
  /**
   * Without `faces`: classify every image whole, as a face crop (no detection). Default false: an
   * image that is a face crop (square, at most 96 px) is classified as it is; any other image goes
   * through the detector and its most prominent face is classified (as the root
   * `classifyEmotion` does); a photo without a face gives a `no-face` item.
   */
  crop?: boolean;
  /** Detection options (with `faces`). */
  minFaceScore?: number;
  maxFaces?: number;
  minFaceSize?: number;
  /** The face detector's `blazeface.json` (with `faces`). */
  detector?: string;
}

/** One face of a photo (with `faces`). */
export interface BatchFace extends Classification<Emotion> {
  /** The detector's box, photo pixels. */
  box: Box;
  /** The FER-style square crop that was classified, photo pixels. */
  crop: Box;
  /** The detector's confidence, 0–1. */
  faceScore: number;
}

/** Where the classified face of a photo is (without `faces` or `crop`, for images that are not face crops). */
export interface FoundFace {
  /** Faces the detector found in the photo (the classification is about the most prominent one). */
  faceCount: number;
  /** The classified face's detector box, photo pixels. */
  box: Box;
  /** The FER-style square crop that was classified, photo pixels. */
  crop: Box;
  /** The detector's confidence, 0–1. */
  faceScore: number;
}

/** What one file gave: its classification (of its most prominent face, `found`), its faces (with `faces`), no face, or an error message. */
export type TaskItem =
  | { status: 'ok'; classification: Classification<Emotion>; found?: FoundFace }
  | { status: 'ok'; faces: BatchFace[] }
  | { status: 'no-face' }
  | { status: 'error'; error: string };

/** The answer of one task: one item per file, in order, or a failure that stops the whole run (the model or detector cannot load). */
export type TaskReply = { items: TaskItem[] } | { fatal: string };

/** A task: files and the options. */
export interface Task {
  files: string[];
  options: TaskOptions;
}

/** Inputs that `toGrayImages` fetches or converts rather than reads as a path. */
const URL_SCHEME = /^(file|https?|data|blob):/i;

const message = oneLine;

/** Prefixes the file name unless the message already names it. */
function fileError(file: string, e: unknown): string {
  const m = message(e);
  return m.includes(file) ? m : `${file}: ${m}`;
}

/**
 * Runs one task in this thread. `classifier` (an already loaded one, this thread only) overrides
 * the options that choose the model.
 */
export async function runTask(task: Task, given?: EmotionClassifier): Promise<TaskReply> {
  const { files, options } = task;
  const { EmotionClassifier } = await import('../inference/classifier.js');
  let classifier: EmotionClassifier;
  try {
    classifier = given ?? await EmotionClassifier.shared({
      weights: options.weights, variant: options.variant, precision: options.precision, backend: options.backend,
      tta: options.tta, classPrior: options.classPrior,
    });
  } catch (e) {
    return { fatal: `cannot load the model${options.weights ? ` (${options.weights})` : ''}: ${message(e)}` };
  }
  if (options.faces) return runFaces(files, options, classifier);
  const { toRasters, decodeBytes, fileReadError, checkFaceAspect } = await import('../inference/input.js');
  const { loadFaceDetector } = await import('../detection/detector.js');
  const { toGraySquare } = await import('../data/image.js');
  const side = classifier.inputSize;
  const { isFaceCrop, mostProminent } = await import('../detection/photo.js');
  const { detectFaceCrops } = await import('../detection/detect-emotions.js');
  let detectorReady: Promise<unknown> | undefined;
  const items: (TaskItem | undefined)[] = new Array(files.length);
  const good: { index: number; pixels: Uint8Array; found?: FoundFace }[] = [];
  // In a worker thread, plain paths are read synchronously: blocking is the worker's job, and
  // fs.promises.readFile costs about 7× the CPU (four thread-pool round trips per file, on the
  // process's shared pool, which then competes with the other workers for the cores).
  const readSync = !isMainThread;
  for (let i = 0; i < files.length; i++) {
    try {
      // the conversion of classifyEmotion(file): decode, BT.601 gray, area-average resize to the model's side
      let raster: Raster;
      if (readSync && !URL_SCHEME.test(files[i])) {
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(files[i]);
        } catch (e) {
          throw fileReadError(e, files[i]);
        }
        raster = await decodeBytes(bytes, files[i]);
      } else {
        [raster] = await toRasters(files[i]);
      }
      if (options.crop || isFaceCrop(raster.width, raster.height)) {
        checkFaceAspect(raster, files[i]);
        good.push({ index: i, pixels: toGraySquare(raster, side).pixels });
        continue;
      }
      // a photo: its most prominent face, as the root classifyEmotion answers
      detectorReady ??= loadFaceDetector(options.detector);
      try {
        await detectorReady;
      } catch (e) {
        return { fatal: message(e) };
      }
      const found = await detectFaceCrops(raster, { detector: options.detector, minFaceScore: options.minFaceScore, maxFaces: options.maxFaces, minFaceSize: options.minFaceSize });
      if (found.length === 0) {
        items[i] = { status: 'no-face' };
        continue;
      }
      const best = mostProminent(found);
      good.push({
        index: i, pixels: toGraySquare(best.pixels, side).pixels,
        found: { faceCount: found.length, box: best.face.box, crop: best.crop, faceScore: best.face.score },
      });
    } catch (e) {
      items[i] = { status: 'error', error: fileError(files[i], e) };
    }
  }
  if (good.length > 0) {
    // an already converted gray square passes the conversion unchanged: same input, same answer
    const images = good.map((g) => ({ width: side, height: side, data: g.pixels, channels: 1 }));
    try {
      const results = await classifier.classify(images, { tta: options.tta, batchSize: 64 });
      good.forEach((g, k) => { items[g.index] = { status: 'ok', classification: results[k], ...(g.found ? { found: g.found } : {}) }; });
    } catch (e) {
      return { fatal: `prediction failed: ${message(e)}` };
    }
  }
  return { items: items as TaskItem[] };
}

async function runFaces(files: string[], options: TaskOptions, classifier: EmotionClassifier): Promise<TaskReply> {
  const { loadFaceDetector } = await import('../detection/detector.js');
  const { detectEmotions } = await import('../detection/detect-emotions.js');
  try {
    await loadFaceDetector(options.detector);
  } catch (e) {
    return { fatal: message(e) };
  }
  const items: TaskItem[] = [];
  for (const file of files) {
    try {
      const faces = await detectEmotions(file, {
        classifier, tta: options.tta, minFaceScore: options.minFaceScore, maxFaces: options.maxFaces,
        minFaceSize: options.minFaceSize, detector: options.detector,
      });
      items.push({
        status: 'ok',
        faces: faces.map((f) => ({
          emotion: f.emotion, confidence: f.confidence, scores: f.scores, box: f.box, crop: f.crop, faceScore: f.faceScore,
          ...(f.lowContrast ? { lowContrast: true as const } : {}),
        })),
      });
    } catch (e) {
      items.push({ status: 'error', error: fileError(file, e) });
    }
  }
  return { items };
}
