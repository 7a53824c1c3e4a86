/**
 * Where the face detector's model comes from: the optional peer package `@vladmandic/human`
 * (its `models/blazeface.json` + `blazeface.bin`, MIT licence; none of its code is imported),
 * located in Node with `createRequire`, read from disk by a small `tf.io.IOHandler`, and
 * {@link FaceDetectorMissingError} when it is not installed.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { readModelArtifacts } from '../model/io.js';
import { isNode } from '../util/env.js';

/** The npm package whose `models/` folder holds the detector's weights. */
export const DETECTOR_PACKAGE = '@vladmandic/human';

/** The detector's graph model inside {@link DETECTOR_PACKAGE}. */
export const DETECTOR_MODEL_PATH = 'models/blazeface.json';

/**
 * Where the detector's model is: a `model.json` path (Node), a URL (browsers: copy
 * `node_modules/@vladmandic/human/models/blazeface.{json,bin}` to your assets), or a
 * `tf.io.IOHandler`. Default: resolved inside the installed `@vladmandic/human` package (Node).
 */
export type DetectorSource = string | URL | tf.io.IOHandler;

/** The detector package is not installed (or its model file is missing). */
export class FaceDetectorMissingError extends Error {
  constructor(detail: string) {
    super(`face detection needs the optional package ${DETECTOR_PACKAGE}, which holds the face detector's weights (${detail}): ` +
      `install it with \`npm install ${DETECTOR_PACKAGE}\`, or pass \`detector\`: the path or URL of its models/blazeface.json ` +
      '(in browsers, copy models/blazeface.json and models/blazeface.bin to your assets)');
    this.name = 'FaceDetectorMissingError';
  }
}


/** Resolves a module path the way Node does from this module; injectable for tests. */
export type ModuleResolver = (specifier: string) => string;

/**
 * The path of `blazeface.json` inside the installed {@link DETECTOR_PACKAGE} (Node).
 *
 * @param resolve How to resolve `<package>/package.json`; default `createRequire(import.meta.url).resolve`.
 * @throws FaceDetectorMissingError when the package (or its model file) is not installed.
 */
export async function resolveDetectorModel(resolve?: ModuleResolver): Promise<string> {
  if (!isNode) throw new FaceDetectorMissingError('it cannot be located outside Node');
  const { join, dirname } = await import('node:path');
  const { existsSync } = await import('node:fs');
  let resolver = resolve;
  if (!resolver) {
    const { createRequire } = await import('node:module');
    resolver = createRequire(import.meta.url).resolve;
  }
  // the package does not export ./package.json: resolve its entry point, then walk up to its root
  let entry: string | undefined;
  for (const specifier of [`${DETECTOR_PACKAGE}/package.json`, DETECTOR_PACKAGE]) {
    try {
      entry = resolver(specifier);
      break;
    } catch { /* try the next one */ }
  }
  if (entry === undefined) throw new FaceDetectorMissingError('it is not installed');
  const { readFileSync } = await import('node:fs');
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && readName(pkg, readFileSync) === DETECTOR_PACKAGE) {
      const model = join(dir, DETECTOR_MODEL_PATH);
      if (!existsSync(model)) throw new FaceDetectorMissingError(`${model} is missing`);
      return model;
    }
    if (dirname(dir) === dir) throw new FaceDetectorMissingError(`no package root above ${entry}`);
  }
}

function readName(file: string, read: (f: string, enc: 'utf8') => string): string | undefined {
  try {
    return (JSON.parse(read(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
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
