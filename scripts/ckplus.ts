/**
 * CK+ beside PublicTest: measures a shipped model on CK+ (`ckplus48/test/<emotion>/*.png`, 927 posed lab
 * faces, six classes) and writes what it measured, for `metadata.json` (`crossDataset.ckplus`), the model
 * card's CK+ section and the README's paragraph (each between `<!-- ckplus:start -->` and
 * `<!-- ckplus:end -->`). Used by scripts/release-weights.ts and scripts/measure-ckplus.ts.
 *
 * CK+ is for evaluation only: nothing here trains, tunes, calibrates or picks a prior on it. The model
 * is run as `predictEmotion` runs it (the variant's TTA, class prior `'training'`) and, for faces
 * balanced across emotions, with `classPrior: 'uniform'`, whose cost on FER-2013 PublicTest is measured too.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { tfl } from '../src/backends/tf.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { evaluate } from '../src/evaluation/evaluate.js';
import type { EvaluationResult } from '../src/evaluation/metrics.js';
import type { EmotionClassifier } from '../src/inference/classifier.js';
import type { TtaMode } from '../src/inference/tta.js';
import type { ModelVariant, ShippedModelInfo } from '../src/inference/weights.js';

/** What `metadata.json` holds under `crossDataset.ckplus`. */
export type CkplusRecord = NonNullable<NonNullable<ShippedModelInfo['crossDataset']>['ckplus']>;

/** The set's name in the record. */
export const CKPLUS_SET = 'CK+ (ckplus48)';
/** Where experiments.md tells the per-class errors and the τ curve between the two priors. */
const EXPERIMENTS_ANCHOR = '#8-faces-from-elsewhere-ck-beside-publictest';

/** Options of {@link measureCkplus}. */
export interface MeasureCkplusOptions {
  /** The model as shipped (temperature baked in), or a classifier of it. */
  model: tfl.LayersModel | EmotionClassifier<string>;
  /** The variant's own TTA, as `predictEmotion` runs it. */
  tta: TtaMode;
  /** FER-2013 with its PublicTest images (other splits are left out here). */
  fer2013: FerDataset;
  /** The CK+ folder (`test/<emotion>/*.png`). */
  dir: string;
  /** The CLI flags that pick this model (`''` for the default, `'--variant accurate'`), for the record's command. */
  modelFlags: string;
  /** The command that runs this measurement, recorded as `measuredBy`. */
  measuredBy: string;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Mean F1 of the classes the set has (CK+ has no Neutral: a class without faces would count as 0). */
function presentMacroF1(r: EvaluationResult): { macroF1: number; classes: string[] } {
  const classes = Object.keys(r.perClass).filter((c) => (r.perClass as Record<string, { support: number }>)[c].support > 0);
  const perClass = r.perClass as Record<string, { f1: number }>;
  return { macroF1: classes.reduce((a, c) => a + perClass[c].f1, 0) / classes.length, classes };
}

/**
 * Measures the model on CK+ (as `predictEmotion` runs it, and with `classPrior: 'uniform'`) and on
 * FER-2013 PublicTest with `classPrior: 'uniform'`. `undefined` (and a line saying so) when the CK+
 * folder is absent: a release goes on without it.
 */
export async function measureCkplus(options: MeasureCkplusOptions): Promise<CkplusRecord | undefined> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { dir, model, tta } = options;
  if (!existsSync(join(dir, 'test'))) {
    log(`CK+: ${join(dir, 'test')} not found: CK+ not measured (pass --ckplus <dir>)`);
    return undefined;
  }
  const ckplus = await FerDataset.fromDirectory(dir);
  const asRun = await evaluate(model, ckplus, { split: 'test', tta, classPrior: 'training' });
  const uniform = await evaluate(model, ckplus, { split: 'test', tta, classPrior: 'uniform' });
  const publicTest = await evaluate(model, options.fer2013, { split: 'PublicTest', tta, classPrior: 'uniform' });
  if (publicTest.count === 0) throw new Error('measureCkplus: the FER-2013 data has no PublicTest images');
  const { macroF1, classes } = presentMacroF1(asRun);
  const record: CkplusRecord = {
    set: CKPLUS_SET,
    split: 'test',
    count: asRun.count,
    classes,
    accuracy: asRun.accuracy,
    macroF1,
    accuracyUniformPrior: uniform.accuracy,
    publicTestAccuracyUniformPrior: publicTest.accuracy,
    tta,
    evaluationOnly: true,
    command: `fer-cnn-lstm evaluate --data ${basename(dir)} --split test${options.modelFlags ? ` ${options.modelFlags}` : ''}`,
    measuredBy: options.measuredBy,
    date: new Date().toISOString(),
  };
  log(`CK+ (${record.count} faces, ${ttaName(tta)}): ${pct(record.accuracy)}, macro-F1 ${record.macroF1.toFixed(4)} over ${classes.length} classes; `
    + `classPrior 'uniform': ${pct(record.accuracyUniformPrior)} (PublicTest ${pct(record.publicTestAccuracyUniformPrior)} with it)`);
  return record;
}

function ttaName(tta: TtaMode | undefined): string {
  return tta === true || tta === 'flip' ? 'flip TTA' : tta ? `\`tta: '${tta}'\`` : 'one view';
}

const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven'];
const classCount = (r: CkplusRecord) => {
  const n = r.classes?.length ?? 6;
  return `${NUMBERS[n] ?? n} class${n === 1 ? '' : 'es'}`;
};

/** Options of {@link ckplusCardSection}. */
export interface CardSectionOptions {
  /** The variant's PublicTest accuracy as `predictEmotion` runs it (`metadata.json`'s `publicTestAccuracy`). */
  publicTestAccuracy: number;
  /** Link to docs/experiments.md from the card's folder (`experiments.md`, `../experiments.md`). */
  experiments: string;
}

/** The model card's CK+ section, markers included. */
export function ckplusCardSection(r: CkplusRecord, options: CardSectionOptions): string {
  const remeasure = `${r.command} [--class-prior uniform]`;
  return `<!-- ckplus:start -->
## Results on CK+ (${r.count} posed lab faces, ${classCount(r)}; evaluation only)

${wrap(`Never used for training, tuning, calibration or choosing a prior. As \`predictEmotion\` runs this variant (${ttaName(r.tta)},
class prior \`'training'\`): **${pct(r.accuracy)}**, macro-F1 ${r.macroF1.toFixed(3)} over its ${classCount(r)}. With \`classPrior: 'uniform'\`
(faces balanced across emotions) ${pct(r.accuracyUniformPrior)}, while PublicTest goes from ${pct(options.publicTestAccuracy)} to ${pct(r.publicTestAccuracyUniformPrior)}.
Re-measure with \`${remeasure}\`; per-class errors and the τ curve
between the two priors are in [experiments.md](${options.experiments}${EXPERIMENTS_ANCHOR}).
Measured by \`${r.measuredBy}\`${r.date ? ` on ${r.date.slice(0, 10)}` : ''}.`)}
<!-- ckplus:end -->`;
}

/** How the README names each variant. */
const VARIANT_NAMES: Record<ModelVariant, string> = { default: 'the default', accurate: 'the `accurate` variant' };

/** `text` on lines of at most `width` characters, broken at spaces (markdown reads a line break as a space). */
export function wrap(text: string, width = 120): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/**
 * The README's CK+ paragraph (markers included) from the shipped variants' records, in
 * {@link ModelVariant} order; empty between the markers when none has one.
 */
export function ckplusReadmeParagraph(records: Partial<Record<ModelVariant, CkplusRecord>>): string {
  const shown = (Object.keys(VARIANT_NAMES) as ModelVariant[]).filter((v) => records[v]).map((v) => ({ v, r: records[v]! }));
  if (shown.length === 0) return '<!-- ckplus:start -->\n<!-- ckplus:end -->';
  const first = shown[0].r;
  const each = (f: (r: CkplusRecord) => number) => shown.map(({ r }) => pct(f(r))).join(' and ');
  const scores = shown.map(({ v, r }, i) => `${VARIANT_NAMES[v]}${i === 0 ? ' scores' : ''} ${pct(r.accuracy)}`).join(' and ');
  const others = shown.filter(({ v }) => v !== 'default').map(({ v }) => `[--variant ${v}] `).join('');
  const data = /--data (\S+)/.exec(first.command)?.[1] ?? 'ckplus48';
  return `<!-- ckplus:start -->
${wrap(`On faces unlike FER-2013's — CK+, ${first.count} posed lab faces (${classCount(first)}), evaluation only — ${scores}; for faces
balanced across emotions, \`--class-prior uniform\` (\`classPrior: 'uniform'\`) gives ${each((r) => r.accuracyUniformPrior)} (PublicTest:
${each((r) => r.publicTestAccuracyUniformPrior)}). Re-measure with \`fer-cnn-lstm evaluate --data ${data} --split test ${others}[--class-prior uniform]\`;
details in [docs/experiments.md](docs/experiments.md${EXPERIMENTS_ANCHOR}).`)}
<!-- ckplus:end -->`;
}

/**
 * `text` with the block between `<!-- name:start -->` and `<!-- name:end -->` (markers included) replaced by
 * `block`; without the markers, `block` goes after `<!-- after -->` (a blank line between) when given.
 *
 * @throws Error when neither the markers nor `after` are in the text.
 */
export function replaceMarked(text: string, name: string, block: string, where: string, after?: string): string {
  const re = new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`);
  if (re.test(text)) return text.replace(re, () => block);
  if (after && text.includes(`<!-- ${after} -->`)) return text.replace(`<!-- ${after} -->`, () => `<!-- ${after} -->\n\n${block}`);
  throw new Error(`${where}: no <!-- ${name}:start --> … <!-- ${name}:end --> markers${after ? ` nor <!-- ${after} -->` : ''}`);
}
