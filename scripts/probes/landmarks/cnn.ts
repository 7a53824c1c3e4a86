/**
 * Landmark probe, step 2: per-image 7-class probabilities of a shipped variant (its training
 * prior and shipped default TTA) on each given set, written to `<out>/cnn_<variant>_<set>.{bin,json}`
 * for fuse.py; prints each set's accuracy.
 *
 *   npx tsx scripts/probes/landmarks/cnn.ts --variant default|accurate [--limit N] [--stride K] [--data ../shared/datasets] [--out runs/landmark-probe] [set...]
 *
 * Sets: `test` (FER-2013 PublicTest) and `ckplus` (CK+48, evaluation only) by default; `train`
 * also works. `--stride` / `--limit` take the same subset of each set as in mesh.ts (so that fuse.py's
 * image order matches). See README.md.
 *
 * @packageDocumentation
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmotionClassifier } from '../../../src/inference/classifier.js';
import { selectBackend } from '../../../src/backends/select.js';
import type { ModelVariant } from '../../../src/inference/variants.js';
import { loadSet, parseLimit, setDir } from './common.js';

const { values, positionals } = parseArgs({
  options: {
    variant: { type: 'string' },
    limit: { type: 'string' },
    stride: { type: 'string', default: '1' },
    data: { type: 'string', default: '../shared/datasets' },
    out: { type: 'string', default: 'runs/landmark-probe' },
  },
  allowPositionals: true,
});
if (!values.variant) {
  console.error('usage: npx tsx scripts/probes/landmarks/cnn.ts --variant default|accurate [--limit N] [--stride K] [--data ../shared/datasets] [--out runs/landmark-probe] [set...]');
  process.exit(2);
}
const variant = values.variant as ModelVariant;
const sets = positionals.length ? positionals : ['test', 'ckplus'];
const limit = parseLimit(values.limit);
const stride = parseLimit(values.stride, '--stride');
for (const set of sets) setDir(values.data!, set);
mkdirSync(values.out!, { recursive: true });

console.error('backend', await selectBackend('wasm'));
const clf = await EmotionClassifier.load({ variant });
console.error('classifier', clf.id);
for (const set of sets) {
  const d = loadSet(set, values.data!, limit, stride);
  const t0 = Date.now();
  const p = clf.probabilities(d.pixels);
  let ok = 0;
  for (let i = 0; i < d.n; i++) { let b = 0; for (let c = 1; c < 7; c++) if (p[i * 7 + c] > p[i * 7 + b]) b = c; if (b === d.labels[i]) ok++; }
  console.error(`${variant} ${set}: n=${d.n} acc=${(100 * ok / d.n).toFixed(2)}% in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const out = join(values.out!, `cnn_${variant}_${set}`);
  writeFileSync(`${out}.bin`, Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  writeFileSync(`${out}.json`, JSON.stringify({ variant, set, n: d.n, id: clf.id, labels: d.labels, names: d.names }));
}
clf.dispose();
