/**
 * The shipped model variants: `variant: 'accurate'` loads `weights/accurate/` (the deeper network)
 * and runs it with flip TTA unless `tta` says otherwise; the default is untouched.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';
import { classifyEmotion } from '../../src/inference/predict.js';
import { loadEmotionModel, VARIANT_TTA } from '../../src/inference/weights.js';

const weightsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../weights');
const hasAccurate = existsSync(resolve(weightsDir, 'accurate', 'model.json'));

beforeAll(async () => { await setBackend('wasm'); });

/** A face-like test image: a smooth gradient with a darker band (not a FER-2013 image). */
const face = () => tf.tidy(() => {
  const px = new Float32Array(48 * 48).map((_, i) => 60 + ((i % 48) * 2 + Math.floor(i / 48)) % 150 - (Math.floor(i / 48) > 30 && Math.floor(i / 48) < 36 ? 40 : 0));
  return tf.tensor2d(px, [48, 48]);
});

describe('variant', () => {
  it('rejects an unknown variant, naming the accepted ones', async () => {
    await expect(loadEmotionModel({ variant: 'fastest' as never })).rejects.toThrow(/variant must be default or accurate, got fastest/);
    await expect(classifyEmotion(face(), { variant: 'fastest' as never })).rejects.toThrow(/variant must be default or accurate/);
  });

  it.skipIf(!hasAccurate)('accurate: loads weights/accurate (deeper than the default) and predicts with flip TTA by default', async () => {
    const accurate = await loadEmotionModel({ variant: 'accurate' });
    const fast = await loadEmotionModel();
    const convs = (m: typeof fast) => m.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    expect(convs(accurate)).toBeGreaterThan(convs(fast));
    expect(VARIANT_TTA.accurate).toBe('flip');
    const x = face();
    const byDefault = await classifyEmotion(x, { variant: 'accurate' });
    const flip = await classifyEmotion(x, { variant: 'accurate', tta: 'flip' });
    const single = await classifyEmotion(x, { variant: 'accurate', tta: false });
    expect(byDefault.scores).toEqual(flip.scores);
    expect(byDefault.scores).not.toEqual(single.scores);
    // the default variant adds the mirror only where unsure
    expect(VARIANT_TTA.default).toBe('auto');
    expect((await classifyEmotion(x)).scores).toEqual((await classifyEmotion(x, { variant: 'default', tta: 'auto' })).scores);
    x.dispose();
  });
});
