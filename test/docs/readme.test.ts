/**
 * The README as a first page for users: short, starting with the two commands that set up a fresh
 * clone, free of words from the project's working history, and with an accuracy table that says
 * what the shipped weights' metadata says.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeBlocks, docFiles, prose, read, ROOT } from './markdown.js';

const readme = read('README.md');

describe('README.md', () => {
  it('is at most 20 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20 * 1024);
  });

  it('starts with the two commands for a fresh clone: the main job offline, and the tests (which .ci/run runs)', () => {
    const [first, second] = codeBlocks('README.md', readme);
    expect(first.code.trim()).toBe('npm ci && npm run build && node dist/cli.cjs predict examples/images/astronaut-face.png');
    expect(second.code.trim()).toBe('npm ci && npm test');
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm ci\b.*\n(?:.*\n)*?npm test$/m);
  });

  it('has the sections the other guides and the changes of behaviour hang on', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    for (const h of ['Install', 'Photos', 'Webcam', 'Folders', 'Video', 'Queue', 'Accuracy', 'Speed']) expect(headings).toContain(h);
  });

  const metaFile = join(ROOT, 'weights', 'metadata.json');
  const meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : undefined;
  it.skipIf(!meta)(`its accuracy table gives the shipped weights' measured numbers${meta ? '' : ' (skipped: no weights/metadata.json)'}`, () => {
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    const block = /<!-- accuracy:start -->([\s\S]*)<!-- accuracy:end -->/.exec(readme)?.[1];
    expect(block, 'the accuracy markers that scripts/release-weights.ts writes between').toBeDefined();
    const row = (label: RegExp) => block!.split('\n').find((l) => l.startsWith('|') && label.test(l)) ?? '';
    expect(row(/one view/)).toContain(`| ${pct(meta.publicTestAccuracyOneView)} | ${meta.macroF1OneView.toFixed(3)} |`);
    expect(row(/\(default\)/)).toContain(`| **${pct(meta.publicTestAccuracy)}** | ${meta.macroF1.toFixed(3)} |`);
    expect(row(/flip TTA \(`tta: 'flip'`\)/)).toContain(`| ${pct(meta.publicTestAccuracyTta)} | ${meta.macroF1Tta.toFixed(3)} |`);
    expect(row(/ten-crop TTA/)).toContain(`| ${pct(meta.publicTestAccuracyTenCrop)} | ${meta.macroF1TenCrop.toFixed(3)} |`);
    for (const p of ['float16', 'uint8'] as const) {
      expect(row(new RegExp(`precision: '${p}'`))).toContain(`| ${pct(meta.variants[p].publicTestAccuracy)} | ${meta.variants[p].macroF1.toFixed(3)} |`);
    }
    expect(block).toContain(`**PublicTest** (${meta.count} images)`);
    const accurateFile = join(ROOT, 'weights', 'accurate', 'metadata.json');
    if (existsSync(accurateFile)) {
      const accurate = JSON.parse(readFileSync(accurateFile, 'utf8'));
      expect(row(/`accurate` variant/)).toContain(`| ${pct(accurate.publicTestAccuracy)} | ${accurate.macroF1.toFixed(3)} |`);
      expect(row(/`accurate` variant/)).toContain(`ten-crop: ${pct(accurate.publicTestAccuracyTenCrop)}`);
    }
  });
});

describe('README.md and the guides', () => {
  /** The lab notebook and the model cards' lineage sections keep the names of the runs; user docs don't. */
  const notebooks = new Set(['docs/experiments.md', 'docs/model-card.md', 'docs/accurate/model-card.md']);
  for (const file of docFiles().filter((f) => !notebooks.has(f))) {
    it(`${file} holds no words from the project's working history`, () => {
      const text = prose(read(file)) + '\n' + codeBlocks(file, read(file)).map((b) => b.code).join('\n');
      const found = text.split('\n').flatMap((line, i) => [/\bsessions?\b/i, /\bruns\/sharp/, /\.\.\/shared\b/].filter((re) => re.test(line)).map((re) => `line ~${i + 1}: ${re}`));
      expect(found).toEqual([]);
    });
  }
});
