/**
 * Saving and loading models in the TensorFlow.js layers format (`model.json` + `weights.bin`) on
 * the file system, without `@tensorflow/tfjs-node`.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { quantizeArtifacts, type WeightPrecision } from './quantize.js';
import { registerCustomLayers } from './layers.js';
import { assertFiniteWeights } from './check-weights.js';
import { isNode } from '../util/env.js';
import { atomicTempPath } from '../util/atomic-write.js';

/**
 * A `tf.io.IOHandler` that reads and writes `<dir>/model.json` and `<dir>/weights.bin` (Node).
 * With `precision` `'float16'` or `'uint8'`, saved weights are quantized.
 */
export function fileSystemHandler(dir: string, precision: WeightPrecision = 'float32'): tf.io.IOHandler {
  return {
    async save(original: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const artifacts = quantizeArtifacts(original, precision);
      const { mkdir, writeFile, rename } = await import('node:fs/promises');
      const { join } = await import('node:path');
      await mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData
        ? tf.io.concatenateArrayBuffers(Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData])
        : new ArrayBuffer(0);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      // write-then-rename so that an interrupted save never leaves a half-written model; both
      // files are written before either is renamed (not writeFileAtomic twice), so that a failed
      // write (a full disk) leaves the old pair as it was
      const weightsFile = join(dir, 'weights.bin');
      const jsonFile = join(dir, 'model.json');
      await writeFile(atomicTempPath(weightsFile), new Uint8Array(weightData));
      await writeFile(atomicTempPath(jsonFile), JSON.stringify(modelJson));
      await rename(atomicTempPath(weightsFile), weightsFile);
      await rename(atomicTempPath(jsonFile), jsonFile);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: async () => readModelArtifacts(dir.endsWith('.json') ? dir : (await import('node:path')).join(dir, 'model.json')),
  };
}

/**
 * Reads a tfjs `model.json` (layers or graph format) and the weight files its manifest names, from
 * disk (Node), with errors that name the file.
 */
export async function readModelArtifacts(jsonPath: string): Promise<tf.io.ModelArtifacts> {
  const { readFile } = await import('node:fs/promises');
  const { join, dirname } = await import('node:path');
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; format?: string; generatedBy?: string; convertedBy?: string; userDefinedMetadata?: Record<string, {}> };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${jsonPath}: ${code === 'ENOENT' ? 'no such file' : `not a tfjs model.json (${(e as Error).message})`}`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dirname(jsonPath), p);
      let b: Buffer;
      try {
        b = await readFile(file);
      } catch (e) {
        throw new Error(`${file}: cannot read the model's weights (${(e as Error).message})`);
      }
      buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
  }
  return {
    modelTopology: json.modelTopology, weightSpecs: specs, weightData: tf.io.concatenateArrayBuffers(buffers),
    format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy, userDefinedMetadata: json.userDefinedMetadata,
  };
}

/** True when `location` looks like a URL rather than a file path. */
function isUrl(location: string): boolean {
  return /^(https?|file|blob|data|indexeddb|localstorage):/i.test(location);
}

/**
 * The HTTP status of a model load that failed because its URL did not serve the model
 * (TensorFlow.js's http loader says `Request to <url> failed with status code <n>`), else undefined.
 */
export function httpStatusOf(error: unknown): number | undefined {
  const m = /failed with status code (\d+)/.exec(error instanceof Error ? error.message : String(error));
  return m ? Number(m[1]) : undefined;
}

/**
 * Loads a layers model from a folder or `model.json` path (Node), a URL (browser or Node
 * `fetch`), or any `tf.io.IOHandler`.
 */
export async function loadModel(location: string | tf.io.IOHandler): Promise<tfl.LayersModel> {
  registerCustomLayers();
  if (typeof location !== 'string') return tfl.loadLayersModel(location);
  const inNode = isNode;
  let model: tfl.LayersModel;
  try {
    // in browsers every string is a URL (relative ones included)
    model = await tfl.loadLayersModel(isUrl(location) || !inNode ? location : fileSystemHandler(location));
  } catch (e) {
    // a 0.1 model: name the model it came from
    const message = (e as Error).message;
    if (message.startsWith('this model was saved by fer-cnn-lstm 0.1')) throw new Error(`${location}: ${message}`);
    const status = httpStatusOf(e);
    if (status !== undefined) {
      // a URL that does not serve the weights (typically a browser app that has not copied them)
      throw new Error(`cannot load the emotion model from ${location}: HTTP ${status}. Serve the package's weights there: `
        + `copy node_modules/fer-cnn-lstm/weights/float16/ (or weights/, full precision) to the folder that URL names, or pass \`weights\` with where they are`);
    }
    throw e;
  }
  assertFiniteWeights(model, location);
  return model;
}

/**
 * Saves a layers model to a folder as `model.json` + `weights.bin` (Node), optionally with
 * quantized weights (`'float16'` halves the size).
 */
export async function saveModel(model: tfl.LayersModel, dir: string, metadata?: Record<string, unknown>, precision: WeightPrecision = 'float32'): Promise<void> {
  if (metadata) (model as unknown as { setUserDefinedMetadata(m: object): void }).setUserDefinedMetadata(metadata);
  await model.save(fileSystemHandler(dir, precision));
}
