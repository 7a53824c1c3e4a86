/**
 * Where the face detector's model comes from: BlazeFace's `blazeface.json` + `blazeface.bin`
 * (0.6 MB), shipped in the package's `weights/face-detector/` folder beside the emotion model's
 * weights and found the same way (`src/inference/weights.ts`: next to the module in Node, beside
 * the emotion weights' URL in browsers), read from disk by a small `tf.io.IOHandler` in Node.
 * {@link FaceDetectorMissingError} only when those files are really missing.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { readModelArtifacts } from '../model/io.js';
import { isNode } from '../util/env.js';
import { shippedWeightsLocation } from '../inference/weights.js';

/** The detector's graph model inside the package's `weights/` folder. */
export const DETECTOR_MODEL_PATH = 'face-detector/blazeface.json';

/**
 * Where the detector's model is: a `blazeface.json` path (Node), a URL, or a `tf.io.IOHandler`.
 * Default: the BlazeFace model shipped in the package (`weights/face-detector/blazeface.json`;
 * in browsers, beside the emotion weights' URL — bundled apps that copy the package's `weights/`
 * folder to their assets pass `<assets>/weights/face-detector/blazeface.json`).
 */
export type DetectorSource = string | URL | tf.io.IOHandler;

/** The shipped detector's files are missing from the package (a damaged install, or a bundler that left `weights/` behind). */
export class FaceDetectorMissingError extends Error {
  constructor(detail: string) {
    super(`the face detector's model was not found (${detail}): the package's weights/face-detector/blazeface.json and blazeface.bin are missing; ` +
      'reinstall fer-cnn-lstm, or pass `detector`: the path or URL of a blazeface.json');
    this.name = 'FaceDetectorMissingError';
  }
}


/**
 * Where the shipped detector's `blazeface.json` is: a path in Node (checked to exist, with its
 * `blazeface.bin`), a URL in browsers (beside the emotion weights' `model.json`).
 *
 * @param weightsRoot The package's `weights/` folder (Node) or the URL of its `model.json`
 * (browsers). Default: where {@link shippedWeightsLocation} finds the emotion weights.
 * @throws FaceDetectorMissingError when the files are not there, naming where it looked.
 */
export async function resolveDetectorModel(weightsRoot?: string): Promise<string> {
  const root = weightsRoot ?? await shippedWeightsLocation();
  if (!isNode) {
    if (root === undefined) throw new FaceDetectorMissingError('the package\'s weights/ folder was not located');
    return root.replace(/model\.json$/, '').replace(/\/?$/, '/') + DETECTOR_MODEL_PATH;
  }
  if (root === undefined) throw new FaceDetectorMissingError('the package\'s weights/ folder (with model.json) was not found next to its code');
  const { join } = await import('node:path');
  const { existsSync } = await import('node:fs');
  const model = join(root, DETECTOR_MODEL_PATH);
  for (const file of [model, join(root, 'face-detector', 'blazeface.bin')]) {
    if (!existsSync(file)) throw new FaceDetectorMissingError(`${file} does not exist`);
  }
  return model;
}

/**
 * The detector a call uses: `detector` when given; in browsers, when the emotion weights are given
 * as a URL (`weights: '/assets/weights/model.json'`), the detector beside them
 * (`/assets/weights/face-detector/blazeface.json`: copy the package's `weights/face-detector/`
 * with the weights); otherwise undefined, the one shipped in the package.
 */
export function detectorFor(options: { detector?: DetectorSource; weights?: unknown }): DetectorSource | undefined {
  if (options.detector !== undefined) return options.detector;
  if (!isNode && typeof options.weights === 'string') return options.weights.replace(/model\.json$/, '').replace(/\/?$/, '/') + DETECTOR_MODEL_PATH;
  return undefined;
}

/** A `tf.io.IOHandler` reading a graph model's `model.json` and its weight files (Node). */
export function graphModelFileHandler(jsonPath: string): tf.io.IOHandler {
  return { load: () => readModelArtifacts(jsonPath) };
}

/**
 * What to give `loadGraphModel` for a detector location: in Node, file paths and `file:` URLs
 * become a {@link graphModelFileHandler} (read from disk); http(s), blob and data URLs, browser
 * locations and handlers are passed on as they are.
 */
export async function detectorModelHandler(location: string | tf.io.IOHandler): Promise<string | tf.io.IOHandler> {
  if (typeof location !== 'string' || !isNode || /^(https?|blob|data):/i.test(location)) return location;
  return graphModelFileHandler(/^file:/i.test(location) ? (await import('node:url')).fileURLToPath(location) : location);
}
