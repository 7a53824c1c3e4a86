/**
 * What an emotion job carries: its data (an image as a path, a URL or base64 bytes, plus options)
 * and its result (the classification, or the faces with boxes), and how job ids are derived.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { Box } from '../detection/boxes.js';
import type { Emotion } from '../emotions.js';

/**
 * The data of one emotion job. Exactly one of `path`, `url`, `base64` holds the image (JPEG or PNG).
 * A `path` is read on the worker's machine (shared storage); `base64` works on any machine.
 */
export interface EmotionJobData {
  /** A file path on the worker's machine. */
  path?: string;
  /** An `http(s):`, `data:` or `file:` URL, fetched by the worker. */
  url?: string;
  /** The encoded image (JPEG or PNG) in base64. */
  base64?: string;
  /** A name for the image (its file name), echoed in the result and in error messages. */
  name?: string;
  /** Find every face of a full photo first (`detectEmotions`); default: the worker's `faces` option. */
  faces?: boolean;
  /**
   * Without `faces`: classify the whole image as a face (no detection); default: the worker's
   * `crop` option. Otherwise an image that is a face crop (square, at most 96 px) is classified as
   * it is and any other image's most prominent face is found and classified (as the root
   * `classifyEmotion` does); a photo without a face gives a {@link NoFaceJobResult}.
   */
  crop?: boolean;
  /**
   * `true`: average with the mirror image; `false`: one view. Default: what `predictEmotion` does,
   * the shipped default model's own TTA (the mirror where the first view is unsure), none for a
   * worker started with other weights.
   */
  tta?: boolean;
  /**
   * The identity of the model that must answer (an `EmotionClassifier`'s `id`, see
   * `emotionClassifierId`): a worker running another model fails the job instead of answering.
   * Part of the job id, so the same image is a new job for another model. `enqueueImages` sets it
   * (default: the shipped default model's id); absent: any worker answers.
   */
  model?: string;
  /** Detection (unless `crop`): ignore faces whose detection score is below this, 0–1 (default 0.5: {@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  minFaceScore?: number;
  /** Detection (unless `crop`): at most this many faces, best detection first (default 20: {@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}). */
  maxFaces?: number;
  /** Detection (unless `crop`): also scan in tiles for faces down to this many pixels. */
  minFaceSize?: number;
}

/** One face in a {@link FacesJobResult}. */
export interface JobFace {
  /** The detector's box, in photo pixels. */
  box: Box;
  emotion: Emotion;
  confidence: number;
  scores: Record<Emotion, number>;
  /** The detector's confidence that this is a face, 0–1. */
  faceScore: number;
}

/** The result of a job without `faces`: the image's emotion. */
export interface ClassificationJobResult {
  name?: string;
  emotion: Emotion;
  confidence: number;
  scores: Record<Emotion, number>;
  /** Set when the image is nearly flat (gray-level spread below 2): its answer says nothing about a face. */
  lowContrast?: true;
  /** A photo (not a face crop): how many faces the detector found (the answer is about the most prominent). */
  faceCount?: number;
  /** A photo: the classified face's detector box, photo pixels. */
  box?: Box;
  /** A photo: the detector's confidence that `box` is a face, 0–1. */
  faceScore?: number;
}

/** The result of a job without `faces` whose photo holds no face: no emotion. */
export interface NoFaceJobResult {
  name?: string;
  noFace: true;
}

/** The result of a job with `faces`: every face found (none: an empty array). */
export interface FacesJobResult {
  name?: string;
  faces: JobFace[];
}

/** What a worker returns as a job's result. */
export type EmotionJobResult = ClassificationJobResult | FacesJobResult | NoFaceJobResult;

/** The options of {@link EmotionJobData} that change the answer (part of the job id). */
export const ANSWER_OPTIONS = ['model', 'faces', 'crop', 'tta', 'minFaceScore', 'maxFaces', 'minFaceSize'] as const;

/**
 * A job id for an image and its options: `fer-` and 32 hex digits of a SHA-256 of the image's
 * content (or of its path or URL, when only that is sent) and the options that change the answer.
 * The same image with the same options always gets the same id, so enqueueing it again adds nothing.
 */
export function emotionJobId(image: { bytes: Uint8Array } | { path: string } | { url: string }, options: Partial<Pick<EmotionJobData, typeof ANSWER_OPTIONS[number]>> = {}): string {
  const h = createHash('sha256');
  if ('bytes' in image) h.update('bytes\0').update(image.bytes);
  else if ('path' in image) h.update('path\0').update(image.path);
  else h.update('url\0').update(image.url);
  const opts: Record<string, unknown> = {};
  for (const k of ANSWER_OPTIONS) if (options[k] !== undefined && options[k] !== false) opts[k] = options[k];
  h.update('\0').update(JSON.stringify(opts));
  return `fer-${h.digest('hex').slice(0, 32)}`;
}

/** Whether a result is a faces result. */
export function isFacesResult(r: EmotionJobResult): r is FacesJobResult {
  return Array.isArray((r as FacesJobResult).faces);
}
