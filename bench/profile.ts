/**
 * Where a training step's time goes: profiles one step of the default model on one thread and
 * prints the kernels by total time (the list the wasm kernels in src/backends/wasm-kernels.ts
 * were written from).
 *
 *   npm run bench:profile -- [--batch-size 64] [--backend wasm] [--no-fast-bn] [--kernels Conv2DBackpropFilter,…] [--model '<json>'] [--json]
 */
import { parseArgs } from 'node:util';
import { tf } from '../src/backends/tf.js';
import '@tensorflow/tfjs-backend-wasm';
import { setBackend } from '../src/backends/select.js';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS, type WasmTrainingKernel } from '../src/backends/wasm-kernels.js';
import { buildCnnLstm } from '../src/model/cnn-lstm.js';
import { useFastBatchNorm } from '../src/training/fast-batchnorm.js';
import { shardGradients } from '../src/training/loss.js';
import { parseModelOption } from './util.js';

const { values } = parseArgs({ options: {
  'batch-size': { type: 'string', default: '64' },
  backend: { type: 'string', default: 'wasm' },
  'no-fast-bn': { type: 'boolean', default: false },
  steps: { type: 'string', default: '3' },
  json: { type: 'boolean', default: false },
  model: { type: 'string' },
  kernels: { type: 'string', default: WASM_TRAINING_KERNELS.join(',') },
} });
const kernels = values.kernels!.split(',').filter(Boolean) as WasmTrainingKernel[];
registerWasmTrainingKernels(kernels);
const n = Number(values['batch-size']);
const backend = await setBackend(values.backend!);
const model = buildCnnLstm({ seed: 1, ...parseModelOption(values.model) });
if (!values['no-fast-bn']) useFastBatchNorm(model);
const pixels = new Uint8Array(n * 48 * 48).map((_, i) => (i * 2654435761) >>> 24);
const labels = new Uint8Array(n).map((_, i) => i % 7);
const step = () => { const g = shardGradients(model, { pixels, labels, size: 48, numClasses: 7, labelSmoothing: 0, batchSize: n }); tf.dispose(g.grads); };
step(); // warm-up
const t0 = performance.now();
const steps = Number(values.steps);
for (let i = 0; i < steps; i++) step();
const msPerStep = (performance.now() - t0) / steps;
const prof = await tf.profile(() => { step(); });
const byKernel = new Map<string, number>();
for (const k of prof.kernels) {
  if (/__op$|^unnamed scope$/.test(k.name)) continue; // wrappers that contain other kernels
  byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
}
const rows = [...byKernel.entries()].sort((a, b) => b[1] - a[1]);
const total = rows.reduce((a, [, v]) => a + v, 0);
console.log(`backend ${backend}, batch ${n}, fast batch norm ${!values['no-fast-bn']}, kernels ${kernels.join('+') || 'stock'}: ${msPerStep.toFixed(0)} ms/step = ${(n / msPerStep * 1000).toFixed(1)} images/s on one thread`);
for (const [name, ms] of rows.slice(0, 15)) console.log(`${name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms  ${(100 * ms / total).toFixed(1).padStart(5)}%`);
if (values.json) console.log(JSON.stringify({ backend, registered: kernels, fastBatchNorm: !values['no-fast-bn'], batchSize: n, msPerStep, imagesPerSecond: n / msPerStep * 1000, kernelMs: Object.fromEntries(rows.map(([k, v]) => [k, +v.toFixed(2)])) }));
