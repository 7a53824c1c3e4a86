/**
 * The face-aware `predictEmotion` / `classifyEmotion` of the package's root entry: every answer is
 * about a face. An image that already is a face crop (the rule: {@link isFaceCrop}) is classified
 * as it is; any other image goes through the face detector and its most prominent face is
 * classified; a photo without a face gets a {@link NoFaceError}, not an emotion. Built on the
 * inference-level functions (`src/inference/predict.ts`, which classify whole images), which it
 * calls unchanged.
 *
 * @packageDocumentation
 */
import type { Emotion } from '../emotions.js';
import type { Raster } from '../data/image.js';
import { ensureBackend } from '../inference/backend.js';
import { describeInput, ImageInputError, isBatchInput, toRasters, type ImageDataLike, type ImageInput, type ModelInput } from '../inference/input.js';
import { classifyEmotion as classifyWhole, type BatchInput, type Classification, type SingleImageInput } from '../inference/predict.js';
import type { Box } from './boxes.js';
import { ferCropBox } from './crop.js';
import { DEFAULT_PHOTO_OPTIONS, FACE_CROP_MAX_SIDE } from './defaults.js';

export { FACE_CROP_MAX_SIDE };
import { detectFaceCrops, type DetectEmotionsOptions } from './detect-emotions.js';

/**
 * How an image is turned into the face that gets classified:
 *
 * - `'auto'` (default, {@link DEFAULT_PHOTO_OPTIONS}): an image that already is a face crop ({@link isFaceCrop}: square and at
 *   most {@link FACE_CROP_MAX_SIDE} pixels, as FER-2013's 48×48 faces) is classified as it is;
 *   any other image goes through the face detector;
 * - `'detect'`: always detect (also in small square images);
 * - `'crop'`: never detect: the whole image is taken as a face crop (the behaviour of version 0.1).
 */
export type FaceMode = 'auto' | 'detect' | 'crop';

/** Every {@link FaceMode}. */
export const FACE_MODES: readonly FaceMode[] = ['auto', 'detect', 'crop'];


/** The `faces: 'auto'` rule: an image is a face crop when it is square and at most {@link FACE_CROP_MAX_SIDE} pixels. */
export function isFaceCrop(width: number, height: number): boolean {
  return width === height && width <= FACE_CROP_MAX_SIDE;
}

/** Checks a `faces` option, naming the accepted values. */
export function checkFaceMode(mode: unknown): FaceMode {
  if (!(FACE_MODES as readonly unknown[]).includes(mode)) throw new RangeError(`faces must be ${FACE_MODES.join(', ')}, got ${String(mode)}`);
  return mode as FaceMode;
}

/** The face detector found no face in an image: it gets no emotion. */
export class NoFaceError extends Error {
  /** Index of the image in a batch input (an array or a 4-D tensor). */
  readonly index?: number;

  /**
   * @param what The image, as error messages name it (a file name, `tensor of shape …`).
   * @param index Its index in a batch.
   */
  constructor(what: string, index?: number) {
    super(`${index === undefined ? '' : `input[${index}]: `}${what}: no face found (pass faces: 'crop' to classify the whole image as a face)`);
    this.name = 'NoFaceError';
    this.index = index;
  }
}

/** Options of the face-aware {@link classifyEmotion} and {@link predictEmotion}. */
export interface PhotoOptions<C extends string = Emotion> extends DetectEmotionsOptions<C> {
  /** Whether to look for a face first; see {@link FaceMode}. Default `'auto'` ({@link DEFAULT_PHOTO_OPTIONS}). */
  faces?: FaceMode;
}

/** The defaults that {@link classifyEmotion} and {@link predictEmotion} read, checked against the option types. */
const DEFAULTS: Readonly<Required<Pick<PhotoOptions, 'faces' | 'align' | 'minFaceScore' | 'maxFaces' | 'iouThreshold' | 'refine'>>> = DEFAULT_PHOTO_OPTIONS;

/** The answer for one image: the classification of its face, and where that face is. */
export interface PhotoClassification<C extends string = Emotion> extends Classification<C> {
  /**
   * How many faces the detector found in the image (the answer is about the most prominent one:
   * the largest box × detection score). Absent when the image was classified whole (a face crop).
   */
  faceCount?: number;
  /** The classified face's detector box, pixels of the image (absent for a face crop). */
  box?: Box;
  /** The square FER-style crop that was classified, pixels of the image (absent for a face crop). */
  crop?: Box;
  /** The detector's confidence that `box` is a face, 0–1 (absent for a face crop). */
  faceScore?: number;
}

/** The most prominent of `faces`: the largest box × detection score. */
export function mostProminent<T extends { face: { box: Box; score: number } }>(faces: readonly T[]): T {
  const weight = (f: T): number => f.face.box.width * f.face.box.height * f.face.score;
  return faces.reduce((a, b) => (weight(b) > weight(a) ? b : a));
}

function imageData(r: Raster): ImageDataLike {
  return { width: r.width, height: r.height, data: r.data, channels: r.channels };
}

/** One image's face: pixels to classify and what the detector said. */
interface Entry {
  pixels: ImageDataLike;
  found?: { faceCount: number; box: Box; crop: Box; faceScore: number };
}

async function run<C extends string>(input: ModelInput, options: PhotoOptions<C>): Promise<{ results: PhotoClassification<C>[]; batch: boolean }> {
  const mode = checkFaceMode(options.faces ?? DEFAULTS.faces);
  const batch = isBatchInput(input);
  const { faces: _mode, ...rest } = options;
  if (mode === 'crop') {
    const r = await classifyWhole<C>(input, rest);
    return { results: Array.isArray(r) ? r : [r as Classification<C>], batch };
  }
  ferCropBox({ x: 0, y: 0, width: 1, height: 1 }, options.framing); // bad framing fails before any work
  await ensureBackend(options.backend);
  const items: readonly ImageInput[] = Array.isArray(input) ? input : [input as ImageInput];
  const entries: Entry[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const at = Array.isArray(input) ? i : undefined;
    let rasters: Raster[];
    try {
      if (Array.isArray(item)) throw new ImageInputError(`${describeInput(item)} is not an image: nested arrays are not accepted (pass one flat array)`);
      rasters = await toRasters(item, { tensorRange: options.tensorRange });
    } catch (e) {
      if (at !== undefined && e instanceof ImageInputError) throw new ImageInputError(e.message, i);
      throw e;
    }
    for (const [k, r] of rasters.entries()) {
      if (mode === 'auto' && isFaceCrop(r.width, r.height)) {
        entries.push({ pixels: imageData(r) });
        continue;
      }
      const found = await detectFaceCrops(r, options);
      if (found.length === 0) {
        const named = typeof item === 'string' ? item : item instanceof URL ? item.href : `${describeInput(item)}, ${r.width}×${r.height} pixels`;
        const what = rasters.length > 1 ? `image ${k} of ${named}` : named;
        throw new NoFaceError(what, at ?? (rasters.length > 1 ? k : undefined));
      }
      const best = mostProminent(found);
      entries.push({ pixels: best.pixels, found: { faceCount: found.length, box: best.face.box, crop: best.crop, faceScore: best.face.score } });
    }
  }
  if (entries.length === 0) return { results: [], batch };
  const { tensorRange: _range, ...classify } = rest;
  const classified = await classifyWhole<C>(entries.map((e) => e.pixels), classify);
  return { results: classified.map((c, i) => ({ ...c, ...entries[i].found })), batch };
}

/**
 * Classifies the facial emotion of an image (or of each image of a batch): the most likely
 * emotion, its confidence and every class's probability — of a **face**. An image that already is
 * a face crop (square, at most {@link FACE_CROP_MAX_SIDE} px, as FER-2013's 48×48 faces) is
 * classified as it is; any other image (a photo) goes through the face detector (BlazeFace,
 * shipped in the package) and its most prominent face (the largest box × detection score) is
 * cropped as FER-2013 faces are framed and classified; the answer says how many faces were found
 * (`faceCount`) and where the classified one is (`box`). `faces: 'detect'` always detects, `faces:
 * 'crop'` never does (see {@link FaceMode}). Every face of a photo: `detectEmotions`.
 *
 * Uses the shipped pretrained model unless `model` or `weights` is given; models are loaded once.
 *
 * @example
 * ```ts
 * const { emotion, confidence, faceCount, box } = await classifyEmotion('photo.jpg');
 * const crop = await classifyEmotion('face-48x48.png');          // a face crop: classified as it is
 * const whole = await classifyEmotion('face.jpg', { faces: 'crop' });
 * ```
 * @throws NoFaceError when an image that is not a face crop holds no face (in a batch, with its
 * `index`); ImageInputError for input that is not an image; Error when a model cannot be loaded.
 */
export function classifyEmotion<C extends string = Emotion>(input: BatchInput, options?: PhotoOptions<C>): Promise<PhotoClassification<C>[]>;
export function classifyEmotion<C extends string = Emotion>(input: SingleImageInput, options?: PhotoOptions<C>): Promise<PhotoClassification<C>>;
export function classifyEmotion<C extends string = Emotion>(input: ModelInput, options?: PhotoOptions<C>): Promise<PhotoClassification<C> | PhotoClassification<C>[]>;
export async function classifyEmotion<C extends string = Emotion>(input: ModelInput, options: PhotoOptions<C> = {}): Promise<PhotoClassification<C> | PhotoClassification<C>[]> {
  const { results, batch } = await run(input, options);
  return batch ? results : results[0];
}

/**
 * The facial emotion of an image (or one per image of a batch: an array or a 4-D tensor): the
 * emotion of its face, as {@link classifyEmotion} finds it. Shorthand for
 * {@link classifyEmotion}`(…).emotion`.
 *
 * @example
 * ```ts
 * const emotion = await predictEmotion('photo.jpg');       // Emotion.Happy
 * const emotions = await predictEmotion([buffer, tensor]); // [Emotion.Sad, Emotion.Neutral]
 * ```
 * @throws NoFaceError when an image that is not a face crop holds no face.
 */
export function predictEmotion<C extends string = Emotion>(input: BatchInput, options?: PhotoOptions<C>): Promise<C[]>;
export function predictEmotion<C extends string = Emotion>(input: SingleImageInput, options?: PhotoOptions<C>): Promise<C>;
export function predictEmotion<C extends string = Emotion>(input: ModelInput, options?: PhotoOptions<C>): Promise<C | C[]>;
export async function predictEmotion<C extends string = Emotion>(input: ModelInput, options: PhotoOptions<C> = {}): Promise<C | C[]> {
  const { results, batch } = await run(input, options);
  return batch ? results.map((r) => r.emotion) : results[0].emotion;
}
