/**
 * CK+ beside PublicTest (scripts/ckplus.ts): what it measures (a tiny model on a fake CK+ folder), what it
 * does without the folder, how it replaces the marked blocks, and that the README's CK+ paragraph and the
 * model cards' CK+ sections say what the shipped weights' metadata says.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf, tfl } from '../../src/backends/tf.js';
import { FerDataset } from '../../src/data/fer-dataset.js';
import { EMOTIONS } from '../../src/emotions.js';
import { evaluate } from '../../src/evaluation/evaluate.js';
import { MODEL_VARIANTS, SHIPPED_VARIANTS } from '../../src/inference/variants.js';
import { Random } from '../../src/util/random.js';
import { ckplusCardSection, ckplusReadmeParagraph, measureCkplus, replaceMarked, type CkplusRecord } from '../../scripts/ckplus.js';
import { gray, png, put } from '../cli/fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const root = mkdtempSync(join(tmpdir(), 'fer-ckplus-'));
const savedCache = process.env.FER_CNN_LSTM_CACHE;
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (savedCache === undefined) delete process.env.FER_CNN_LSTM_CACHE; else process.env.FER_CNN_LSTM_CACHE = savedCache;
});

/** A fixed softmax over the pixels of a 48×48 face: seven classes, weights from a seeded generator. */
function tinyModel(): tfl.LayersModel {
  const m = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [48, 48, 1] }), tfl.layers.dense({ units: EMOTIONS.length, activation: 'softmax' })] });
  const random = new Random(3);
  const w = Float32Array.from({ length: 48 * 48 * EMOTIONS.length }, () => (random.int(2001) - 1000) / 20000);
  m.layers[1].setWeights([tf.tensor2d(w, [48 * 48, EMOTIONS.length]), tf.zeros([EMOTIONS.length])]);
  return m;
}

describe('measureCkplus', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true); // no "looks like you are running TensorFlow.js in Node.js" banner
    await setBackend('cpu');
    process.env.FER_CNN_LSTM_CACHE = join(root, 'cache');
  });

  it('says so and gives undefined when the CK+ folder is absent', async () => {
    const said: string[] = [];
    const r = await measureCkplus({
      model: undefined as never, tta: 'auto', fer2013: undefined as never, dir: join(root, 'no-ckplus'), modelFlags: '', measuredBy: 'x', log: (l) => said.push(l),
    });
    expect(r).toBeUndefined();
    expect(said.join('\n')).toMatch(/no-ckplus.*not found: CK\+ not measured/);
  });

  it('measures CK+ as the variant runs, with the uniform prior, and PublicTest with the uniform prior', async () => {
    const dir = join(root, 'ckplus48');
    let seed = 0;
    for (const [emotion, n] of [['angry', 3], ['happy', 4], ['sad', 2]] as const) {
      for (let i = 0; i < n; i++) put(dir, `test/${emotion}/${i}.png`, png(gray(seed++)));
    }
    const n = 20;
    const images = new Uint8Array(n * 48 * 48);
    for (let i = 0; i < n; i++) images.set(gray(100 + i), i * 48 * 48);
    const fer2013 = FerDataset.fromArrays(images, Array.from({ length: n }, (_, i) => i % 7), { splits: Array.from({ length: n }, (_, i) => (i < 4 ? 0 : 1)) });
    const model = tinyModel();
    const said: string[] = [];
    const r = (await measureCkplus({ model, tta: 'flip', fer2013, dir, modelFlags: '--variant accurate', measuredBy: 'npx tsx test', log: (l) => said.push(l) }))!;
    const ck = await FerDataset.fromDirectory(dir);
    const asRun = await evaluate(model, ck, { split: 'test', tta: 'flip' });
    expect(r).toMatchObject({
      set: 'CK+ (ckplus48)', split: 'test', count: 9, classes: ['Angry', 'Happy', 'Sad'], tta: 'flip', evaluationOnly: true,
      accuracy: asRun.accuracy,
      accuracyUniformPrior: (await evaluate(model, ck, { split: 'test', tta: 'flip', classPrior: 'uniform' })).accuracy,
      publicTestAccuracyUniformPrior: (await evaluate(model, fer2013, { split: 'PublicTest', tta: 'flip', classPrior: 'uniform' })).accuracy,
      command: 'fer-cnn-lstm evaluate --data ckplus48 --split test --variant accurate',
      measuredBy: 'npx tsx test',
    });
    // the mean F1 of the three classes present, not of all seven
    expect(r.macroF1).toBeCloseTo((asRun.perClass.Angry.f1 + asRun.perClass.Happy.f1 + asRun.perClass.Sad.f1) / 3, 12);
    expect(said).toHaveLength(1);
    model.dispose();
  });
});

describe('the marked blocks', () => {
  const record: CkplusRecord = {
    set: 'CK+ (ckplus48)', split: 'test', count: 927, classes: ['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise'],
    accuracy: 0.6731, macroF1: 0.6132, accuracyUniformPrior: 0.7195, publicTestAccuracyUniformPrior: 0.6598, tta: 'auto',
    evaluationOnly: true, command: 'fer-cnn-lstm evaluate --data ckplus48 --split test', measuredBy: 'npx tsx scripts/measure-ckplus.ts', date: '2026-12-06T00:00:00Z',
  };

  it('replaceMarked replaces between the markers, inserts after another marker, else throws', () => {
    const block = '<!-- ckplus:start -->\nnew\n<!-- ckplus:end -->';
    expect(replaceMarked('a\n<!-- ckplus:start -->\nold\n<!-- ckplus:end -->\nb', 'ckplus', block, 'f')).toBe(`a\n${block}\nb`);
    expect(replaceMarked('a\n<!-- accuracy:end -->\n\nb', 'ckplus', block, 'f', 'accuracy:end')).toBe(`a\n<!-- accuracy:end -->\n\n${block}\n\nb`);
    expect(() => replaceMarked('a', 'ckplus', block, 'README.md')).toThrow(/README\.md: no <!-- ckplus:start -->/);
  });

  it('the README paragraph names the variants that have a record', () => {
    const one = ckplusReadmeParagraph({ default: record });
    expect(one).toMatch(/^<!-- ckplus:start -->\nOn faces unlike FER-2013's — CK\+, 927 posed lab faces \(six classes\)/);
    expect(one.replace(/\n/g, ' ')).toContain('the default scores 67.31%; for faces balanced across emotions');
    expect(one).not.toContain('accurate');
    const two = ckplusReadmeParagraph({ default: record, accurate: { ...record, accuracy: 0.6688 } }).replace(/\n/g, ' ');
    expect(two).toContain('the default scores 67.31% and the `accurate` variant 66.88%');
    expect(two).toContain('`fer-cnn-lstm evaluate --data ckplus48 --split test [--variant accurate] [--class-prior uniform]`');
    expect(ckplusReadmeParagraph({})).toBe('<!-- ckplus:start -->\n<!-- ckplus:end -->');
  });

  it('the card section gives the numbers, the command and what measured it', () => {
    const s = ckplusCardSection(record, { publicTestAccuracy: 0.6709, experiments: '../experiments.md' });
    expect(s).toMatch(/^<!-- ckplus:start -->\n## Results on CK\+ \(927 posed lab faces, six classes; evaluation only\)\n\n/);
    const text = s.replace(/\n/g, ' ');
    expect(text).toContain("**67.31%**, macro-F1 0.613 over its six classes. With `classPrior: 'uniform'` (faces balanced across emotions) 71.95%, while PublicTest goes from 67.09% to 65.98%.");
    expect(text).toContain('`fer-cnn-lstm evaluate --data ckplus48 --split test [--class-prior uniform]`');
    expect(text).toContain('(../experiments.md#8-faces-from-elsewhere-ck-beside-publictest)');
    expect(text).toContain('Measured by `npx tsx scripts/measure-ckplus.ts` on 2026-12-06.');
    expect(s.split('\n').every((l) => l.length <= 120)).toBe(true);
  });
});

/** Each shipped variant's metadata, when the weights are here. */
const metas = Object.fromEntries(MODEL_VARIANTS.flatMap((v) => {
  const file = join(ROOT, 'weights', SHIPPED_VARIANTS[v].dir, 'metadata.json');
  return existsSync(file) ? [[v, JSON.parse(readFileSync(file, 'utf8'))]] : [];
})) as Record<string, { publicTestAccuracy: number; crossDataset?: { ckplus?: CkplusRecord } }>;

describe.skipIf(!metas.default)('the shipped docs say what the metadata says about CK+', () => {
  it('README.md: the CK+ paragraph', () => {
    const records = Object.fromEntries(Object.entries(metas).filter(([, m]) => m.crossDataset?.ckplus).map(([v, m]) => [v, m.crossDataset!.ckplus!]));
    expect(Object.keys(records)).toEqual([...MODEL_VARIANTS]);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(ckplusReadmeParagraph(records));
  });

  for (const v of MODEL_VARIANTS) {
    it(`the ${v} variant's model card: its CK+ section`, () => {
      const meta = metas[v];
      expect(meta?.crossDataset?.ckplus).toBeDefined();
      const dir = SHIPPED_VARIANTS[v].dir;
      const card = readFileSync(join(ROOT, 'docs', dir, 'model-card.md'), 'utf8');
      expect(card).toContain(ckplusCardSection(meta.crossDataset!.ckplus!, { publicTestAccuracy: meta.publicTestAccuracy, experiments: dir ? '../experiments.md' : 'experiments.md' }));
      expect(card).not.toMatch(/written by hand/);
    });
  }
});
