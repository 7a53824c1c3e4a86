/**
 * Issue 13.9: `buildCnnLstm()` works before any backend was selected (no "No backend found in
 * registry"), quickly and without the Orthogonal-initializer warning; the fast orthogonal
 * initializer gives tfjs-layers' Q.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, tfl } from '../../src/backends/tf.js';
import { setBackend } from '../../src/backends/select.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('building before selectBackend()', () => {
  it('builds the default LSTM (128 units) in a fresh process with no backend selected, quickly and silently, then predicts on the best backend', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fer-build-'));
    const script = join(dir, 'build.mts');
    writeFileSync(script, `
      import { buildCnnLstm } from ${JSON.stringify(join(ROOT, 'src/model/cnn-lstm.ts'))};
      import { classifyEmotion } from ${JSON.stringify(join(ROOT, 'src/inference/predict.ts'))};
      import { tf } from ${JSON.stringify(join(ROOT, 'src/backends/tf.ts'))};
      tf.env().set('PROD', true);
      const t0 = Date.now();
      const model = buildCnnLstm({ filters: [4], stemFilters: 0, seed: 1 });
      const ms = Date.now() - t0;
      const built = tf.getBackend();
      const r = await classifyEmotion({ width: 48, height: 48, data: new Uint8Array(2304).map((_, i) => i % 251) }, { model });
      console.log(JSON.stringify({ ms, built, predicted: tf.getBackend(), emotion: r.emotion }));
    `);
    try {
      const p = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NODE_OPTIONS: '' } });
      expect(p.stderr).not.toMatch(/No backend found|Orthogonal initializer/);
      expect(p.status, p.stderr).toBe(0);
      const out = JSON.parse(p.stdout.trim().split('\n').at(-1)!);
      expect(out.built).toBe('cpu');
      expect(out.predicted).toBe('wasm'); // a prediction still moves to the best backend
      expect(out.ms).toBeLessThan(15_000); // tfjs's own QR took 60–100 s on cpu for the 128×512 kernel
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('orthogonal initializer', () => {
  it('equals tfjs-layers\' Q (QR of the same seeded Gaussian, positive diagonal of R) to float32 precision', async () => {
    await setBackend('cpu');
    for (const shape of [[24, 16], [16, 24], [2, 3, 8]]) {
      const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1), cols = shape.at(-1)!;
      const got = tfl.initializers.orthogonal({ seed: 5, gain: 1.3 }).apply(shape);
      const want = tf.tidy(() => {
        const m = Math.max(rows, cols), n = Math.min(rows, cols);
        const [q, r] = tf.linalg.qr(tf.randomNormal([m, n], 0, 1, 'float32', 5));
        const diag = tf.stridedSlice(tf.reshape(r, [-1]), [0], [n * n], [n + 1]);
        let qq = tf.mul(q, tf.sign(diag));
        if (rows < cols) qq = tf.transpose(qq);
        return tf.reshape(tf.mul(qq, 1.3), shape);
      });
      expect(got.shape).toEqual(shape);
      const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
      expect(diff).toBeLessThan(1e-4);
      tf.dispose([got, want]);
    }
  });
});
