/**
 * Measures the shipped weights as they are (every variant of `weights/`) on CK+ with scripts/ckplus.ts, and
 * writes what it measured: `crossDataset.ckplus` of each variant's `metadata.json` (no other field
 * changes), the CK+ section of each model card and the README's CK+ paragraph (between their
 * `<!-- ckplus:start -->`/`<!-- ckplus:end -->` markers). For the weights of a release whose training runs
 * are gone; scripts/release-weights.ts does the same as part of a release.
 *
 *   npx tsx scripts/measure-ckplus.ts [--data ../shared/datasets/fer2013] [--ckplus ../shared/datasets/ckplus48]
 *
 * `--data` is FER-2013 (its PublicTest images: the uniform prior's cost there); CK+ is evaluation only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { EmotionClassifier } from '../src/inference/classifier.js';
import { MODEL_VARIANTS, SHIPPED_VARIANTS, type ModelVariant } from '../src/inference/variants.js';
import type { ShippedModelInfo } from '../src/inference/weights.js';
import { ckplusCardSection, ckplusReadmeParagraph, measureCkplus, replaceMarked, type CkplusRecord } from './ckplus.js';

const { values } = parseArgs({ options: {
  data: { type: 'string', default: '../shared/datasets/fer2013' },
  ckplus: { type: 'string', default: '../shared/datasets/ckplus48' },
  weights: { type: 'string', default: 'weights' },
  docs: { type: 'string', default: 'docs' },
  readme: { type: 'string', default: 'README.md' },
} });
const command = `npx tsx scripts/measure-ckplus.ts --data ${values.data} --ckplus ${values.ckplus}`;

const backend = await selectBackend('wasm');
const fer2013 = (await FerDataset.fromDirectory(values.data!)).filter('PublicTest');
console.log(`${backend}; FER-2013 PublicTest: ${fer2013.length} images`);

const records: Partial<Record<ModelVariant, CkplusRecord>> = {};
for (const variant of MODEL_VARIANTS) {
  const { dir, tta } = SHIPPED_VARIANTS[variant];
  const metaFile = join(values.weights!, dir, 'metadata.json');
  const text = await readFile(metaFile, 'utf8');
  const meta = JSON.parse(text) as ShippedModelInfo;
  // the file is rewritten as the release writes it: it must come back byte for byte, the new field aside
  if (JSON.stringify(meta, null, 2) + '\n' !== text) throw new Error(`${metaFile} is not formatted as the release writes it (2-space JSON and a newline)`);
  if ((meta.tta ?? false) !== tta) throw new Error(`${metaFile} was measured with tta ${String(meta.tta)}, but the ${variant} variant runs ${String(tta)}`);
  console.log(`${variant} (${metaFile}, tta ${String(tta)}):`);
  const classifier = await EmotionClassifier.load<string>({ variant });
  let record: CkplusRecord | undefined;
  try {
    record = await measureCkplus({
      model: classifier, tta, fer2013, dir: values.ckplus!, measuredBy: command,
      modelFlags: variant === 'default' ? '' : `--variant ${variant}`,
    });
  } finally {
    classifier.dispose();
  }
  if (!record) {
    console.log('nothing written');
    process.exit(1);
  }
  records[variant] = record;
  meta.crossDataset = { ...meta.crossDataset, ckplus: record };
  await writeFile(metaFile, JSON.stringify(meta, null, 2) + '\n');
  const card = join(values.docs!, dir, 'model-card.md');
  const section = ckplusCardSection(record, { publicTestAccuracy: meta.publicTestAccuracy, experiments: relative(join(values.docs!, dir), join(values.docs!, 'experiments.md')) });
  await writeFile(card, replaceMarked(await readFile(card, 'utf8'), 'ckplus', section, card));
  console.log(`wrote ${metaFile} (crossDataset.ckplus) and ${card} (its CK+ section)`);
}
const readme = await readFile(values.readme!, 'utf8');
await writeFile(values.readme!, replaceMarked(readme, 'ckplus', ckplusReadmeParagraph(records), values.readme!, 'accuracy:end'));
console.log(`wrote ${values.readme} (the CK+ paragraph)`);
