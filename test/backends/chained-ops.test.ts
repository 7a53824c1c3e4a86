/**
 * tfjs-core alone does not install the chained tensor methods tfjs-layers uses (the LSTM's
 * Orthogonal initializer calls `flatten()`); `registerChainedOps` does. The import-order-sensitive
 * checks run in fresh child processes so that nothing loaded by this test file interferes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registerChainedOps } from '../../src/backends/chained-ops.js';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const url = (rel: string) => pathToFileURL(join(ROOT, rel)).href;
/** The built package (`npm run build`); its tests are skipped when it is absent. */
const DIST = process.env.FER_CNN_LSTM_TEST_DIST ? resolve(process.env.FER_CNN_LSTM_TEST_DIST) : join(ROOT, 'dist');

/** Runs an ES-module script in a fresh Node process (cwd = repo root, so bare imports resolve there). */
function runModule(code: string, opts: { tsx?: boolean; cjs?: boolean } = {}): { status: number | null; stdout: string; stderr: string } {
  const args = [
    ...(opts.tsx ? ['--import', 'tsx'] : []),
    `--input-type=${opts.cjs ? 'commonjs' : 'module'}`, '-e', code,
  ];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The last JSON line a child printed. */
function result(r: { stdout: string; stderr: string }): Record<string, unknown> {
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`child printed no result:\n${r.stdout.slice(-1000)}\n${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** Builds an LSTM with the default (Orthogonal) recurrent initializer and runs it. */
const LSTM_SCRIPT = `
  const model = tfl.sequential({ layers: [tfl.layers.lstm({ units: 4, inputShape: [3, 2] })] });
  const y = model.predict(tf.ones([2, 3, 2]));
  console.log(JSON.stringify({ ok: true, shape: y.shape, backend: tf.getBackend() }));
`;

describe('registerChainedOps (child processes)', () => {
  it('plain tfjs-core + tfjs-layers + cpu fails to build an LSTM with "flatten is not a function"', () => {
    const r = runModule(`
      import * as tf from '@tensorflow/tfjs-core';
      import * as tfl from '@tensorflow/tfjs-layers';
      import '@tensorflow/tfjs-backend-cpu';
      await tf.setBackend('cpu');
      try {
        ${LSTM_SCRIPT}
      } catch (e) {
        console.log(JSON.stringify({ ok: false, error: String(e && e.message) }));
      }
    `);
    expect(result(r)).toEqual({ ok: false, error: expect.stringMatching(/flatten is not a function/) });
  });

  it('through src/backends/tf.ts the same LSTM builds and runs', () => {
    const r = runModule(`
      import '@tensorflow/tfjs-backend-cpu';
      const { tf, tfl } = await import(${JSON.stringify(url('src/backends/tf.ts'))});
      await tf.setBackend('cpu');
      ${LSTM_SCRIPT}
    `, { tsx: true });
    expect(result(r)).toEqual({ ok: true, shape: [2, 4], backend: 'cpu' });
  });

  it.runIf(existsSync(join(DIST, 'model.js')))('through the built ESM dist (fer-cnn-lstm/model) the same LSTM builds and runs', () => {
    const r = runModule(`
      import '@tensorflow/tfjs-backend-cpu';
      const { tf, tfl } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'model.js')).href)});
      await tf.setBackend('cpu');
      ${LSTM_SCRIPT}
    `);
    expect(result(r)).toEqual({ ok: true, shape: [2, 4], backend: 'cpu' });
  });

  it.runIf(existsSync(join(DIST, 'model.cjs')))('through the built CommonJS dist (fer-cnn-lstm/model) the same LSTM builds and runs', () => {
    const r = runModule(`
      require('@tensorflow/tfjs-backend-cpu');
      const { tf, tfl } = require(${JSON.stringify(join(DIST, 'model.cjs'))});
      tf.setBackend('cpu').then(() => {
        ${LSTM_SCRIPT}
      });
    `, { cjs: true });
    expect(result(r)).toEqual({ ok: true, shape: [2, 4], backend: 'cpu' });
  });

  it('keeps methods that already exist and is idempotent', () => {
    const r = runModule(`
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      await tf.setBackend('cpu');
      const proto = tf.Tensor.prototype;
      const mine = function () { return 'mine'; };
      proto.flatten = mine;
      const { registerChainedOps } = await import(${JSON.stringify(url('src/backends/chained-ops.ts'))});
      const first = registerChainedOps();
      const second = registerChainedOps();
      const x = tf.tensor2d([[1, 2], [3, 4]]);
      console.log(JSON.stringify({
        first, second,
        flattenKept: proto.flatten === mine,
        flatten: x.flatten(),
        as1D: Array.from(x.as1D().dataSync()),
        toInt: x.toInt().dtype,
        add: Array.from(x.add(1).dataSync()),
        concat: x.concat(x, 0).shape,
      }));
    `, { tsx: true });
    const out = result(r);
    expect(out.first).toBeGreaterThan(50);
    expect(out).toMatchObject({
      second: 0, flattenKept: true, flatten: 'mine', as1D: [1, 2, 3, 4], toInt: 'int32', add: [2, 3, 4, 5], concat: [4, 2],
    });
  });
});

describe('registerChainedOps (this process)', () => {
  it('is already registered by the tf module, so a second call adds nothing', () => {
    expect(registerChainedOps()).toBe(0);
    expect(registerChainedOps()).toBe(0);
  });

  it('chained methods equal the functional ops', async () => {
    await setBackend('cpu');
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const m = x as unknown as Record<string, (...a: unknown[]) => tf.Tensor>;
    const flat = m.flatten.call(x);
    expect(flat.shape).toEqual([8]);
    expect(Array.from(await flat.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const s = m.sum.call(x, 1);
    expect(Array.from(await s.data())).toEqual(Array.from(await tf.sum(x, 1).data()));
    tf.dispose([x, flat, s]);
  });
});
