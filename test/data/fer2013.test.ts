/**
 * The real FER-2013 folders (Kaggle layout) at ../shared/datasets/fer2013, when present. The
 * decoded images are cached after the first load (~/.cache/fer-cnn-lstm), so this is quick.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FerDataset } from '../../src/data/fer-dataset.js';

const DIR = process.env.FER2013_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets/fer2013');
const present = existsSync(DIR);
if (!present) console.warn(`[skip] FER-2013 not found at ${DIR} (set FER2013_DIR to run the real-dataset test)`);

describe.skipIf(!present)(`FER-2013 at ${DIR}`, () => {
  it('has the published split sizes and per-class counts', async () => {
    const d = await FerDataset.fromDirectory(DIR);
    expect(d.size).toBe(48);
    expect(d.summary.skipped).toEqual([]);
    expect(d.splitCounts()).toEqual({ Training: 28709, PublicTest: 3589 });
    expect(d.filter('Training').classCounts()).toEqual({
      Angry: 3995, Disgust: 436, Fear: 4097, Happy: 7215, Sad: 4830, Surprise: 3171, Neutral: 4965,
    });
    expect(d.filter('PublicTest').classCounts()).toEqual({
      Angry: 467, Disgust: 56, Fear: 496, Happy: 895, Sad: 653, Surprise: 415, Neutral: 607,
    });
    expect(d.filter('test').length).toBe(3589);
    // images are real faces, not blank: mean brightness of the first images in a plausible range
    for (const i of [0, 1000, 30000]) {
      const img = d.image(i);
      const mean = img.reduce((a, b) => a + b, 0) / img.length;
      expect(mean).toBeGreaterThan(20);
      expect(mean).toBeLessThan(235);
    }
  });
});
