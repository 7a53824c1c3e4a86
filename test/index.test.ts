/**
 * The front door (0.2 API): the root entry exports exactly what an application needs; the rest is
 * reached through the named subpaths, which package.json "exports", tsup and typedoc list alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '../src/index.js';
import { LIBRARY_ENTRIES, NODE_ONLY_ENTRIES } from '../tsup.config.js';

const REPO = join(import.meta.dirname, '..');

/** The root's runtime exports (types are checked by `npm run typecheck` of the examples). */
const ROOT_API = [
  // emotions
  'Emotion', 'EMOTIONS', 'NUM_EMOTIONS', 'isEmotion', 'emotionFromIndex', 'emotionToIndex', 'parseEmotion',
  // prediction
  'predictEmotion', 'classifyEmotion', 'detectEmotions', 'LOW_CONTRAST_STD', 'FACE_CROP_MAX_SIDE', 'DEFAULT_PHOTO_OPTIONS',
  // a loaded model handle, its class prior and the shipped variants
  'EmotionClassifier', 'loadEmotionClassifier', 'emotionClassifierId', 'FER2013_TRAIN_COUNTS', 'SHIPPED_VARIANTS',
  // the model: architecture, loading, saving
  'buildCnnLstm', 'loadEmotionModel', 'loadModel', 'saveModel', 'shippedModelInfo', 'shippedWeightsLocation', 'clearModelCache', 'MODEL_VARIANTS', 'VARIANT_TTA', 'AUTO_TTA_CONFIDENCE',
  // data, training, evaluation
  'FerDataset', 'augment', 'train', 'evaluate',
  // backends
  'selectBackend', 'setBackend',
  // errors
  'ImageInputError', 'FaceDetectorMissingError', 'NoFaceError', 'FerDataError', 'TrainingError',
].sort();

/** Names that 0.1 exported from the root and that 0.2 moved to a subpath (or dropped). */
const MOVED: Record<string, string> = {
  tf: 'model', tfl: 'model', rebuildCnnLstm: 'model', registerCustomLayers: 'model', Standardize: 'model',
  quantizeArtifacts: 'model', toFloat16Bits: 'model', fileSystemHandler: 'model', DEFAULT_CNN_LSTM_OPTIONS: 'model',
  registerWasmTrainingKernels: 'training', WASM_TRAINING_KERNELS: 'training', useFastBatchNorm: 'training',
  batchNormTraining: 'training', registerChainedOps: 'training', activeBackend: 'training', preferredBackends: 'training',
  SPLITS: 'training', parseSplitFilter: 'training', augmentTransforms: 'training', DEFAULT_AUGMENTATION: 'training',
  confusionMatrix: 'training', metricsFromConfusion: 'training', toModelInput: 'training', toGrayImages: 'training',
  grayToTensor: 'training', recomputeBatchNorm: 'training',
  FaceDetector: 'detection', loadFaceDetector: 'detection', resolveDetectorModel: 'detection', DETECTOR_MODEL_PATH: 'detection',
  scanWindows: 'detection', MIN_FACE_FRACTION: 'detection', MIN_FACE_SIZE: 'detection', FER_FRAMING: 'detection', ferCropBox: 'detection',
  cropRaster: 'detection', decodeImage: 'detection', MAX_IMAGE_PIXELS: 'detection', sniffFormat: 'detection', toGraySquare: 'detection',
  EmotionSmoother: 'video', DEFAULT_SMOOTHING: 'video', resolveSmoothingOptions: 'video', classifyStream: 'video', watchVideo: 'video',
  confusionMatrixSvg: 'viz', trainingCurvesSvg: 'viz', predictionGridSvg: 'viz', encodePng: 'viz', pngDataUri: 'viz',
};

/** Internals that no entry exports (the blur API is gone in 0.2; the rest are implementation details). */
const NOWHERE = ['GaussianBlur', 'setBlurInTraining', 'gaussianBlurPixels', 'gaussianKernel', 'ensureBackend', 'iou', 'weightedNms', 'letterbox'];

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; browser?: string };
const subpathOf = (name: string) => name === 'index' ? '.' : `./${name}`;

describe('the root entry', () => {
  it('exports exactly the application API', () => {
    expect(Object.keys(root).sort()).toEqual(ROOT_API);
  });

  it('exports none of the internals', () => {
    for (const name of [...Object.keys(MOVED), ...NOWHERE]) expect(root, name).not.toHaveProperty(name);
  });
});

describe('the subpath entries', () => {
  it('hold what left the root', async () => {
    const modules: Record<string, Record<string, unknown>> = {};
    for (const [name, path] of Object.entries(LIBRARY_ENTRIES)) modules[name] = await import(join(REPO, path));
    for (const [name, where] of Object.entries(MOVED)) expect(modules[where], `${name} in fer-cnn-lstm/${where}`).toHaveProperty(name);
    for (const [where, mod] of Object.entries(modules)) {
      for (const name of NOWHERE) expect(mod, `${name} in ${where}`).not.toHaveProperty(name);
    }
  });

  it('are listed alike in package.json "exports", tsup and typedoc, with ESM, CJS, types and a browser build', () => {
    const all = { ...LIBRARY_ENTRIES, ...NODE_ONLY_ENTRIES };
    const typedoc = JSON.parse(readFileSync(join(REPO, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
    expect(typedoc.entryPoints.sort()).toEqual(Object.values(all).sort());
    expect(Object.keys(pkg.exports).sort()).toEqual([...Object.keys(all).map(subpathOf), './package.json'].sort());
    for (const name of Object.keys(LIBRARY_ENTRIES)) {
      expect(pkg.exports[subpathOf(name)], name).toEqual({
        browser: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.browser.js` },
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      });
    }
    expect(pkg.browser).toBe('./dist/index.browser.js');
  });

  it('Node-only entries (batch, queue) have ESM, CJS and types, and no browser build', () => {
    expect(Object.keys(NODE_ONLY_ENTRIES).sort()).toEqual(['batch', 'queue']);
    for (const name of Object.keys(NODE_ONLY_ENTRIES)) {
      expect(pkg.exports[subpathOf(name)], name).toEqual({
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      });
    }
  });
});
