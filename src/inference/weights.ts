/**
 * The pretrained model shipped with the package (`weights/model.json` + `weights/weights.bin`,
 * described by `weights/metadata.json`), and user models, each loaded once and cached.
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import type { WeightPrecision } from '../model/quantize.js';
import { loadModel } from '../model/io.js';
import { assertFiniteWeights } from '../model/check-weights.js';

export { assertFiniteWeights };
import { ensureBackend } from './backend.js';
import type { TtaMode } from './tta.js';
import { checkVariant, shippedSubdir, type ModelVariant } from './variants.js';
import { isNode } from '../util/env.js';

/** How the shipped model was trained and how well it does, from `weights/metadata.json`. */
export interface ShippedModelInfo {
  /**
   * Accuracy on FER-2013's PublicTest split (3,589 images), 0–1, as `predictEmotion` runs the model:
   * with the test-time augmentation named by `tta`.
   */
  publicTestAccuracy: number;
  /** The test-time augmentation behind `publicTestAccuracy`, `macroF1` and `perClass` (older metadata: absent, one view). */
  tta?: TtaMode;
  /** Unweighted mean of the per-class F1 scores on PublicTest. */
  macroF1: number;
  /** Precision, recall, F1 and support per emotion on PublicTest. */
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  /** Epochs trained. */
  epochs: number;
  /** The command that trained it. */
  command: string;
  /** When it was trained (ISO 8601). */
  date: string;
  /** Other configurations that were tried, with their results. */
  variants?: Record<string, unknown>;
  /**
   * The softmax temperature baked into the weights (fitted on PublicTest) and the expected
   * calibration error (15 bins) before and after it.
   */
  calibration?: { temperature: number; eceBefore: number; eceAfter: number; fittedOn: string };
  /**
   * Accuracy on faces from another dataset, measured for information only (never trained, tuned,
   * calibrated or selected on). `ckplus`: CK+ (927 posed lab faces, six classes, no Neutral).
   */
  crossDataset?: {
    ckplus?: {
      /** Which set (`'CK+ (ckplus48)'`) and split (`'test'`). */
      set: string;
      split: string;
      /** Faces measured. */
      count: number;
      /** The classes the set has (macro-F1 is their mean). */
      classes?: string[];
      /** Accuracy, 0–1, as `predictEmotion` runs the model: its TTA, class prior `'training'`. */
      accuracy: number;
      /** Unweighted mean of the F1 scores of the classes the set has. */
      macroF1: number;
      /** Accuracy with `classPrior: 'uniform'` (for faces balanced across emotions). */
      accuracyUniformPrior: number;
      /** FER-2013 PublicTest accuracy with `classPrior: 'uniform'`: what the uniform prior costs there. */
      publicTestAccuracyUniformPrior: number;
      /** The test-time augmentation behind these numbers. */
      tta?: TtaMode;
      /** Always true: the set is for evaluation only. */
      evaluationOnly: true;
      /** The CLI command that measures `accuracy` (add `--class-prior uniform` for the other). */
      command: string;
      /** What measured and wrote it, and when (ISO 8601). */
      measuredBy?: string;
      date?: string;
    };
  };
  /** Any further fields the metadata holds. */
  [key: string]: unknown;
}

export { MODEL_VARIANTS, VARIANT_TTA, checkVariant, shippedSubdir, type ModelVariant } from './variants.js';

/** Where to get a model: a loaded one, or weights to load (and cache). */
export interface ModelSource {
  /** A loaded model to use as is (not cached, not disposed). */
  model?: tfl.LayersModel;
  /**
   * Weights to load instead of the shipped ones: a folder or `model.json` path (Node), a URL, or
   * a `tf.io.IOHandler`. Loaded once per location (per handler object) and cached.
   */
  weights?: string | URL | tf.io.IOHandler;
  /** Backend to activate first (`'wasm'`, `'cpu'`, `'tensorflow'`, `'webgl'`, …). Default: the best available. */
  backend?: string;
  /**
   * Which stored precision of the shipped weights to load: `'float32'` (default), `'float16'`
   * (half the download; accuracy change recorded in `weights/metadata.json`) or `'uint8'`.
   * Ignored when `model` or `weights` is given.
   */
  precision?: WeightPrecision;
  /**
   * Which shipped model: `'default'` or `'accurate'` (see {@link ModelVariant}; it also sets the
   * default `tta` of a prediction). Ignored when `model` or `weights` is given.
   */
  variant?: ModelVariant;
}


/** Candidate weight folders relative to this module: from the sources (`src/inference/`) and from the bundle (`dist/`). */
function candidateDirs(): string[] {
  const here = import.meta.url;
  const fromSource = '../../weights/';
  const fromDist = '../weights/';
  return /\/src\/inference\//.test(here) ? [fromSource, fromDist] : [fromDist, fromSource];
}

let shippedLocation: Promise<string | undefined> | undefined;

/**
 * Where the shipped weights are: the folder holding `model.json` (Node), or the URL of
 * `model.json` (browsers, resolved against this module's URL — bundlers that move modules break
 * this, so bundled browser apps should copy the package's `weights/` folder to their assets and
 * pass its URL as `weights`). `undefined` when not found (Node).
 */
export function shippedWeightsLocation(): Promise<string | undefined> {
  shippedLocation ??= (async () => {
    const rels = candidateDirs();
    if (!isNode) return new URL(`${rels[0]}model.json`, import.meta.url).href;
    const { fileURLToPath } = await import('node:url');
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    for (const rel of rels) {
      let dir: string;
      try {
        dir = fileURLToPath(new URL(rel, import.meta.url));
      } catch {
        continue; // not a file: URL (bundled into something else)
      }
      if (existsSync(join(dir, 'model.json'))) return dir;
    }
    return undefined;
  })();
  return shippedLocation;
}

const shippedModels = new Map<string, Promise<tfl.LayersModel>>();
const byLocation = new Map<string, Promise<tfl.LayersModel>>();
const byHandler = new WeakMap<tf.io.IOHandler, Promise<tfl.LayersModel>>();

/** Caches a loading promise, forgetting it when loading fails so that a retry can succeed. */
function remember<K>(set: (p: Promise<tfl.LayersModel> | undefined) => void, load: () => Promise<tfl.LayersModel>): Promise<tfl.LayersModel> {
  const p = load();
  set(p);
  p.catch(() => set(undefined));
  return p;
}

async function loadShipped(precision: WeightPrecision, variant: ModelVariant): Promise<tfl.LayersModel> {
  const root = await shippedWeightsLocation();
  const sub = shippedSubdir(variant, precision);
  const location = root === undefined || sub === '' ? root
    : isNode ? `${root.replace(/\/$/, '')}/${sub}` : root.replace(/model\.json$/, `${sub}/model.json`);
  if (location === undefined) {
    const tried = candidateDirs().map((r) => { try { return new URL(r, import.meta.url).pathname; } catch { return r; } });
    throw new Error(`the shipped weights (weights/model.json) were not found (looked in ${tried.join(' and ')}); pass \`weights\` or \`model\``);
  }
  try {
    return await loadChecked(location, location);
  } catch (e) {
    throw new Error(`cannot load the shipped weights from ${location}: ${(e as Error).message}`);
  }
}

/**
 * Why a `model.json` at `location` (a folder or `.json` path, Node) is not a tfjs **layers**
 * model: a graph model, or JSON without `modelTopology.model_config`. `undefined` when it looks
 * like a layers model, or cannot be read (the loader's own error then says why).
 */
export async function notALayersModel(location: string): Promise<string | undefined> {
  if (!isNode || /^(https?|blob|data|indexeddb|localstorage):/i.test(location)) return undefined;
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const file = /\.json$/i.test(location) ? location : join(location, 'model.json');
  let json: { format?: unknown; modelTopology?: { model_config?: unknown; class_name?: unknown; node?: unknown } };
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return `${file}: not a tfjs model.json (expected a JSON object)`;
  const topo = json.modelTopology;
  const expected = 'expected a tfjs layers model (model.json with modelTopology.model_config, as written by model.save())';
  if (json.format === 'graph-model' || (topo && Array.isArray(topo.node))) return `${file}: is a tfjs graph model, ${expected}`;
  if (!topo || typeof topo !== 'object') return `${file}: has no modelTopology: ${expected}`;
  if (!topo.model_config && !topo.class_name) return `${file}: its modelTopology has no model_config: ${expected}`;
  return undefined;
}

/** Loads a layers model from `location` and checks it: a clear error for a non-layers model.json, and for NaN/Infinity weights. */
async function loadChecked(location: string | tf.io.IOHandler, name: string): Promise<tfl.LayersModel> {
  let model: tfl.LayersModel;
  try {
    model = await loadModel(location);
  } catch (e) {
    const why = typeof location === 'string' ? await notALayersModel(location) : undefined;
    throw why ? new Error(why, { cause: e }) : e;
  }
  try {
    assertFiniteWeights(model, name);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Loads the model that `source` names, without caching: `source.model` itself, else the model at
 * `source.weights`, else the shipped one of `source.variant` and `source.precision`. Activates a
 * backend first. (Internal: {@link loadEmotionModel} caches it; `EmotionClassifier.load` owns it.)
 */
export async function loadModelSource(source: ModelSource = {}): Promise<tfl.LayersModel> {
  await ensureBackend(source.backend);
  if (source.model) return source.model;
  const w = source.weights;
  if (w === undefined) {
    const { precision, variant } = shippedChoice(source);
    return loadShipped(precision, variant);
  }
  if (typeof w === 'string' || w instanceof URL) {
    const key = typeof w === 'string' ? w : w.href;
    // without tfjs-node, tfjs cannot load file:// URLs: read them as paths
    const location = isNode && /^file:/i.test(key) ? (await import('node:url')).fileURLToPath(key) : key;
    return loadChecked(location, location);
  }
  checkHandler(w);
  return loadChecked(w, 'the weights of the IOHandler');
}

/** The checked `precision` and `variant` of a shipped model. */
export function shippedChoice(source: Pick<ModelSource, 'precision' | 'variant'>): { precision: WeightPrecision; variant: ModelVariant } {
  const precision = source.precision ?? 'float32';
  if (!['float32', 'float16', 'uint8'].includes(precision)) throw new RangeError(`precision must be float32, float16 or uint8, got ${String(precision)}`);
  return { precision, variant: checkVariant(source.variant ?? 'default') };
}

function checkHandler(w: unknown): asserts w is tf.io.IOHandler {
  if (typeof w !== 'object' || w === null || typeof (w as tf.io.IOHandler).load !== 'function') {
    throw new TypeError(`weights must be a path, a URL or a tf.io.IOHandler with a load() method, got ${w === null ? 'null' : typeof w}`);
  }
}

/**
 * The emotion model, loaded lazily and only once: `source.model` when given, else the model at
 * `source.weights` (cached per location), else the pretrained model shipped in the package's
 * `weights/` folder. Activates a backend first (`source.backend`, or the best available unless
 * one is active).
 *
 * @example
 * ```ts
 * const model = await loadEmotionModel();              // shipped weights
 * const mine = await loadEmotionModel({ weights: 'runs/best' });
 * ```
 * @throws Error when the weights are missing or unreadable, naming where it looked.
 */
export async function loadEmotionModel(source: ModelSource = {}): Promise<tfl.LayersModel> {
  await ensureBackend(source.backend);
  if (source.model) return source.model;
  const w = source.weights;
  if (w === undefined) {
    const { precision, variant } = shippedChoice(source);
    const key = `${variant}/${precision}`;
    return shippedModels.get(key) ?? remember((p) => { if (p) shippedModels.set(key, p); else shippedModels.delete(key); }, () => loadShipped(precision, variant));
  }
  if (typeof w === 'string' || w instanceof URL) {
    const key = typeof w === 'string' ? w : w.href;
    return byLocation.get(key) ?? remember((p) => { if (p) byLocation.set(key, p); else byLocation.delete(key); }, () => loadModelSource({ weights: w, backend: source.backend }));
  }
  checkHandler(w);
  return byHandler.get(w) ?? remember((p) => { if (p) byHandler.set(w, p); else byHandler.delete(w); }, () => loadChecked(w, 'the weights of the IOHandler'));
}

const clearHooks = new Set<(model: tfl.LayersModel) => void>();

/** @internal Calls `hook` with each cached model that {@link clearModelCache} is about to dispose (to free what was derived from it). */
export function onModelCacheClear(hook: (model: tfl.LayersModel) => void): void {
  clearHooks.add(hook);
}

/**
 * Disposes every cached model (shipped and user weights), and what prediction derived from it,
 * and forgets it; the next prediction loads it again. Models passed as `model` are not touched.
 */
export async function clearModelCache(): Promise<void> {
  const pending = [...shippedModels.values(), ...byLocation.values()];
  shippedModels.clear();
  byLocation.clear();
  for (const p of pending) {
    if (!p) continue;
    let model: tfl.LayersModel;
    try { model = await p; } catch { continue; /* failed loads hold nothing */ }
    for (const hook of clearHooks) hook(model);
    model.dispose();
  }
  // models loaded from IOHandlers live in a WeakMap and are garbage-collected with their handler
}

let shippedInfo: Promise<ShippedModelInfo | undefined> | undefined;

/**
 * How the shipped model was trained and evaluated (`weights/metadata.json`): PublicTest
 * accuracy, macro-F1, per-class metrics, epochs, the training command and date. `undefined` when
 * the package has no metadata (or no weights).
 *
 * @throws Error when `metadata.json` exists but is not valid JSON.
 */
export function shippedModelInfo(): Promise<ShippedModelInfo | undefined> {
  shippedInfo ??= (async () => {
    const location = await shippedWeightsLocation();
    if (location === undefined) return undefined;
    let text: string;
    let where: string;
    if (isNode) {
      const { readFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      where = join(location, 'metadata.json');
      try {
        text = await readFile(where, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    } else {
      where = new URL('metadata.json', location).href;
      const res = await fetch(where).catch(() => undefined);
      if (!res || !res.ok) return undefined;
      text = await res.text();
    }
    try {
      return JSON.parse(text) as ShippedModelInfo;
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
    }
  })();
  const p = shippedInfo;
  p.catch(() => { if (shippedInfo === p) shippedInfo = undefined; });
  return p;
}
