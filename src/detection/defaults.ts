/**
 * The defaults of the face-detection and photo options, each group one frozen constant that the
 * code reads and the options' TSDoc points to. A module of its own, without TensorFlow.js, so that
 * the CLI's help can state the same numbers without loading the detector.
 *
 * @packageDocumentation
 */

/**
 * The defaults of {@link DetectOptions} (face detection: {@link FaceDetector.detect},
 * `detectEmotions`, the face-aware `predictEmotion` / `classifyEmotion`): faces scored at least
 * 0.5, at most 20 of them, boxes overlapping by more than 0.3 IoU merged, and a second look where
 * the first is unsure. `minFaceSize` has no default (no tiled scan).
 */
export const DEFAULT_DETECT_OPTIONS: Readonly<{
  minFaceScore: number;
  maxFaces: number;
  iouThreshold: number;
  refine: boolean | 'auto';
}> = Object.freeze({ minFaceScore: 0.5, maxFaces: 20, iouThreshold: 0.3, refine: 'auto' });

/**
 * The defaults of the options of the face-aware `predictEmotion` / `classifyEmotion` (`faces`) and
 * of `detectEmotions` (`align`), with those of face detection
 * ({@link "fer-cnn-lstm/detection"!DEFAULT_DETECT_OPTIONS}): an
 * image that is a face crop is classified as it is, any other is searched for faces, and each face
 * is turned upright by its eye line before it is classified. The framing's defaults are
 * {@link "fer-cnn-lstm/detection"!FER_FRAMING}.
 */
export const DEFAULT_PHOTO_OPTIONS: Readonly<{
  faces: 'auto' | 'detect' | 'crop';
  align: boolean;
  minFaceScore: number;
  maxFaces: number;
  iouThreshold: number;
  refine: boolean | 'auto';
}> = Object.freeze({ ...DEFAULT_DETECT_OPTIONS, faces: 'auto', align: true });

/**
 * Largest side (pixels) of a square image that `faces: 'auto'` takes as a face crop. FER-2013 and
 * CK+ faces are 48×48; the detector cannot judge images this small anyway (it sees faces down to
 * about 1/22 of a photo's side, and a face that fills the frame is not a scene it was trained on).
 */
export const FACE_CROP_MAX_SIDE = 96;
