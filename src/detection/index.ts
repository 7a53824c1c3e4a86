/**
 * The detection folder's API, exported by the `fer-cnn-lstm/detection` entry (src/detection.ts).
 *
 * `fer-cnn-lstm/detection`: the face detector under `detectEmotions` (BlazeFace), FER-2013
 * framing and crops, boxes, the tiled scan for small faces, and image decoding.
 *
 * @packageDocumentation
 */
export { detectEmotions, type DetectEmotionsOptions, type FaceEmotion } from './detect-emotions.js';
export { isFaceCrop, mostProminent, FACE_MODES } from './photo.js';
export { DEFAULT_DETECT_OPTIONS, DEFAULT_PHOTO_OPTIONS } from './defaults.js';
export { FaceDetector, loadFaceDetector, REFINE_INPUT, REFINE_UNLESS, REFINE_WINDOW, type DetectOptions } from './detector.js';
export {
  resolveDetectorModel, FaceDetectorMissingError, DETECTOR_MODEL_PATH, type DetectorSource,
} from './model-files.js';
export { scanWindows, MIN_FACE_FRACTION, MIN_FACE_SIZE } from './scan.js';
export type { Box, DetectedFace } from './boxes.js';
export { FER_FRAMING, ferCropBox, cropRaster, type Framing } from './crop.js';
export {
  decodeImage, decodeImageAsync, sniffFormat, MAX_IMAGE_PIXELS, MAX_JPEG_SCANS, type ImageFormat, type DecodeOptions,
} from '../data/decode.js';
export { detectFormat, type DetectedFormat } from '../data/formats.js';
export { toGraySquare, type Raster } from '../data/image.js';
