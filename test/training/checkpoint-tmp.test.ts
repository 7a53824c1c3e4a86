import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, tfl } from '../../src/backends/tf.js';
import { saveCheckpoint } from '../../src/training/checkpoint.js';

describe('saveCheckpoint', () => {
  it('removes the temporary files of killed saves (their process gone), not those of a live one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fer-ckpt-'));
    const stale = join(dir, 'checkpoint.json.2147483646.tmp'); // no such process
    const live = join(dir, `checkpoint.json.${process.ppid}.tmp`); // the test runner's parent: alive
    writeFileSync(stale, '{"cut');
    writeFileSync(live, '{"cut');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    const optimizer = tf.train.adam(0.01);
    await saveCheckpoint(dir, model, optimizer, { epoch: 1, history: [], bestValLoss: 1, bestEpoch: 1, sinceBest: 0 } as never);
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    model.dispose();
  });
});
