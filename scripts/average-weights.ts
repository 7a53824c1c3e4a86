/**
 * Averages the weights of saved models of one architecture: stochastic weight averaging over the
 * last epochs of one run (Izmailov et al., 2018), or a "model soup" of fine-tunes of one start
 * (Wortsman et al., 2022). Every weight, batch-norm moving statistics included, becomes the plain
 * mean; the architecture, size and speed are those of one model.
 *
 *   npx tsx scripts/average-weights.ts --out runs/x/swa runs/x-epochs/epoch-10 runs/x-epochs/epoch-11 …
 *
 * Then `fer-cnn-lstm evaluate --weights <out> --data … --split PublicTest` scores it.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { tf } from '../src/backends/tf.js';
import { loadModel, saveModel } from '../src/model/io.js';

const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true });
if (!values.out || positionals.length < 2) {
  console.error('usage: npx tsx scripts/average-weights.ts --out <dir> <model dir> <model dir> [...]');
  process.exit(2);
}
await selectBackend('wasm');
const models: Awaited<ReturnType<typeof loadModel>>[] = [];
for (const p of positionals) {
  // one line, not the stack: tfjs' wasm module rethrows uncaught errors with its whole source line
  models.push(await loadModel(p).catch((e: Error) => { console.error(`average-weights: ${e.message}`); process.exit(1); }));
}
const [first, ...rest] = models;
// loaded copies get uniquified weight names (conv2d_1 and conv2d_1_1): compare the layers' classes and the shapes
const signature = (m: typeof first) => `${m.layers.map((l) => l.getClassName()).join(',')}|${m.weights.map((w) => w.shape.join('x')).join(',')}`;
for (const [i, m] of rest.entries()) {
  if (signature(m) !== signature(first)) {
    console.error(`average-weights: ${positionals[i + 1]}: not the architecture of ${positionals[0]} (its layers or weight shapes differ)`);
    process.exit(1);
  }
}
tf.tidy(() => {
  first.weights.forEach((w, j) => {
    const sum = models.reduce<tf.Tensor>((acc, m) => tf.add(acc, m.weights[j].read()), tf.zerosLike(w.read()));
    w.write(tf.div(sum, models.length));
  });
});
await saveModel(first, values.out, { averageOf: positionals });
console.log(JSON.stringify({ out: values.out, averageOf: positionals }));
