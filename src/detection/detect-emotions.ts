/**
 * `detectEmotions`: every face of a full photo with its emotion — face detection (BlazeFace, from
 * its weights shipped in the package), FER-2013 framing of each face, then the emotion model.
 *
 * @packageDocumentation
 */
import type { Emotion } from '../emotions.js';
import type { Raster } from '../data/image.js';
import { ensureBackend } from '../inference/backend.js';
import { ImageInputError, describeInput, toRasters, type ImageDataLike } from '../inference/input.js';
import { classifyEmotion, type Classification, type PredictOptions, type SingleImageInput } from '../inference/predict.js';
import { DEFAULT_PHOTO_OPTIONS } from './defaults.js';
import { cropRaster, eyeRoll, ferCropBox, rotatedCropRaster, type Framing } from './crop.js';
import type { Box, DetectedFace } from './boxes.js';
import { loadFaceDetector, type DetectOptions } from './detector.js';
import { detectorFor, type DetectorSource } from './model-files.js';

/** Options of {@link detectEmotions}: face detection, framing, and the emotion model (as {@link predictEmotion}'s). */
export interface DetectEmotionsOptions<C extends string = Emotion> extends PredictOptions<C>, DetectOptions {
  /**
   * Where the face detector's model (`blazeface.json`) is: a path (Node), a URL or a
   * `tf.io.IOHandler`. Default: the one shipped in the package (`weights/face-detector/`, found beside the emotion
   * weights; in browsers beside their URL).
   */
  detector?: DetectorSource;
  /** Overrides of the FER-2013 framing ({@link "fer-cnn-lstm/detection"!FER_FRAMING}: 1.25× the detector's box, centred). */
  framing?: Partial<Framing>;
  /**
   * Rotate each face upright before classifying it: the crop is turned by the face's roll (the
   * angle of the line between the detector's eye key points, `roll`) so that the eyes are level,
   * as in FER-2013's faces. Default true ({@link "fer-cnn-lstm/detection"!DEFAULT_PHOTO_OPTIONS}; measured in
   * docs/face-detection.md: it helps on tilted faces and leaves upright ones as they are).
   */
  align?: boolean;
}

/** The defaults that {@link detectFaceCrops} reads, checked against the option types. */
const DEFAULTS: Readonly<Required<Pick<DetectEmotionsOptions, 'align'>>> = DEFAULT_PHOTO_OPTIONS;

/** One face of the photo and its emotion. */
export interface FaceEmotion<C extends string = Emotion> extends Classification<C> {
  /** The face detector's box, in pixels of the photo, clamped to the photo (the FER crop, `crop`, may extend past its edges). */
  box: Box;
  /** The square FER-style crop that was classified, in pixels of the photo (may extend past its edges). */
  crop: Box;
  /** The detector's confidence that this is a face, 0–1. */
  faceScore: number;
  /** Six key points `[x, y]`: right eye, left eye, nose tip, mouth centre, right ear, left ear (see {@link DetectedFace}). */
  landmarks: [number, number][];
  /** The face's roll in degrees (eye line against the horizontal, positive clockwise); with `align` the crop was turned upright by it. */
  roll: number;
}

/**
 * Finds every face in a photo and classifies its emotion. Each face is cropped the way FER-2013
 * faces are framed (a square 1.25× the detector's box: forehead to chin, ears at the edges),
 * converted to gray and classified with the shipped model (or `model`/`weights`), all faces in
 * one batch. Faces come back best detection score first; none gives an empty array. Faces down to
 * about 1/22 of the photo's longer side are found; pass `minFaceSize` (pixels) for smaller ones
 * (a slower, tiled scan).
 *
 * The face detector's weights (0.6 MB) ship in the package and are read from disk in Node: no network.
 *
 * @example
 * ```ts
 * for (const face of await detectEmotions('group.jpg', { minFaceScore: 0.6 })) {
 *   console.log(face.box, face.emotion, face.confidence.toFixed(2));
 * }
 * ```
 * @throws FaceDetectorMissingError when the shipped detector's files are missing and no `detector` is given;
 * ImageInputError for input that is not one image; Error when a model cannot be loaded.
 */
export async function detectEmotions<C extends string = Emotion>(image: SingleImageInput, options: DetectEmotionsOptions<C> = {}): Promise<FaceEmotion<C>[]> {
  if (Array.isArray(image)) throw new ImageInputError(`${describeInput(image)}: detectEmotions takes one image; call it once per photo`);
  ferCropBox({ x: 0, y: 0, width: 1, height: 1 }, options.framing); // bad framing fails now, not only when a face is found
  await ensureBackend(options.backend);
  const rasters = await toRasters(image, { tensorRange: options.tensorRange });
  if (rasters.length !== 1) throw new ImageInputError(`${describeInput(image)} holds ${rasters.length} images: detectEmotions takes one image`);
  return detectEmotionsInRaster(rasters[0], options);
}

/** The faces of a photo already read into a raster (see {@link detectEmotions}), best detection first. */
export async function detectFaceCrops(photo: Raster, options: Pick<DetectEmotionsOptions, 'detector' | 'framing' | 'align' | 'weights'> & DetectOptions = {}): Promise<{ face: DetectedFace; crop: Box; roll: number; pixels: Raster }[]> {
  const detector = await loadFaceDetector(detectorFor(options));
  const faces = await detector.detect(photo, options);
  return faces.map((face) => {
    const crop = ferCropBox(face.box, options.framing);
    const roll = eyeRoll(face.landmarks);
    const pixels = (options.align ?? DEFAULTS.align) === false ? cropRaster(photo, crop) : rotatedCropRaster(photo, crop, roll);
    return { face, crop, roll: (roll * 180) / Math.PI, pixels };
  });
}

/** {@link detectEmotions} on a photo already read into a raster. */
export async function detectEmotionsInRaster<C extends string = Emotion>(photo: Raster, options: DetectEmotionsOptions<C> = {}): Promise<FaceEmotion<C>[]> {
  const found = await detectFaceCrops(photo, options);
  if (found.length === 0) return [];
  const emotions = await classifyEmotion<C>(found.map((f): ImageDataLike => ({ ...f.pixels })), options);
  return found.map(({ face: f, crop, roll }, i) => ({ ...emotions[i], box: f.box, crop, faceScore: f.score, landmarks: f.landmarks, roll }));
}
