import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEmotionModel, shippedModelInfo, shippedWeightsLocation } from '../../src/inference/weights.js';

const weightsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../weights');
const hasWeights = existsSync(resolve(weightsDir, 'model.json'));
const hasMetadata = existsSync(resolve(weightsDir, 'metadata.json'));

describe('shipped weights location', () => {
  it('finds <package>/weights from the sources, or reports none', async () => {
    const loc = await shippedWeightsLocation();
    if (hasWeights) expect(resolve(loc!)).toBe(weightsDir);
    else expect(loc).toBeUndefined();
  });

  it.skipIf(hasWeights)('without shipped weights, loading says where it looked (skipped: weights/ exists)', async () => {
    await expect(loadEmotionModel({ backend: 'cpu' })).rejects.toThrow(/shipped weights \(weights\/model.json\) were not found .*pass `weights` or `model`/);
  });

  it('rejects weights that are neither a location nor an IOHandler', async () => {
    await expect(loadEmotionModel({ backend: 'cpu', weights: 42 as never })).rejects.toThrow('weights must be a path, a URL or a tf.io.IOHandler');
  });
});

describe('shippedModelInfo', () => {
  it('is undefined without metadata.json, else its parsed contents', async () => {
    const info = await shippedModelInfo();
    if (!hasWeights || !hasMetadata) {
      expect(info).toBeUndefined();
      return;
    }
    expect(info).toEqual(JSON.parse(readFileSync(resolve(weightsDir, 'metadata.json'), 'utf8')));
    expect(typeof info!.publicTestAccuracy).toBe('number');
  });
});
