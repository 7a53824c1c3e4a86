/**
 * Makes a trained CNN-LSTM deeper without changing what it computes (Net2DeeperNet, Chen et al.,
 * 2016), so that a training stage can start from the trained model with more capacity instead of
 * from scratch:
 *
 *   npx tsx scripts/deepen.ts --from runs/sharp-v6/soup --convs 2,2,3 --data ../shared/datasets/fer2013 --out runs/deep/start
 *
 * Every layer of the source is copied by name into `buildCnnLstm({ convsPerBlock })` (the source's
 * other options must be the defaults, or be given with `--model '<json>'`). Each new convolution
 * follows a ReLU of the same width, so it starts as the identity: a 3×3 kernel with 1 at the centre
 * of its own channel. Its batch norm is set so that it passes its input through in training mode
 * too: γ = the input's standard deviation and β = its mean per channel (measured on `--images`
 * Training images, default 4096), the moving statistics the same. The script checks the deeper
 * model's predictions against the source's and saves it with the command in its metadata.
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { tf, tfl } from '../src/backends/tf.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { buildCnnLstm, type CnnLstmOptions } from '../src/model/cnn-lstm.js';
import { loadModel, saveModel } from '../src/model/io.js';
import { modelProbabilities as predictPixels } from './probabilities.js';
import { Random } from '../src/util/random.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string' }, convs: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' },
    model: { type: 'string', default: '{}' }, images: { type: 'string', default: '4096' },
  },
});
const fail = (message: string): never => {
  console.error(`deepen: ${message}`);
  process.exit(1);
};
if (!values.from || !values.convs || !values.data || !values.out) {
  console.error("usage: npx tsx scripts/deepen.ts --from <model dir> --convs 2,2,3 --data <fer2013 dir> --out <dir> [--model '<buildCnnLstm options json>'] [--images 4096]");
  process.exit(2);
}
const convsPerBlock = values.convs.split(',').map(Number);
const images = Number(values.images);
if (!Number.isInteger(images) || images < 64) fail(`--images must be an integer ≥ 64, got ${values.images}`);

await selectBackend('wasm');
const source = await loadModel(values.from).catch((e: Error) => fail(e.message));
const options: CnnLstmOptions = { ...(JSON.parse(values.model) as CnnLstmOptions), convsPerBlock };
const target = buildCnnLstm(options);
const train = (await FerDataset.fromDirectory(values.data).catch((e: Error) => fail(e.message))).filter('Training');
const pick = new Random(1).shuffle(Int32Array.from({ length: train.length }, (_, i) => i)).subarray(0, Math.min(images, train.length));
const sample = train.subset(pick);

const sourceNames = new Set(source.layers.map((l) => l.name));
const added: string[] = [];
for (const layer of target.layers) {
  if (sourceNames.has(layer.name)) {
    const from = source.getLayer(layer.name);
    const weights = from.getWeights();
    const shapes = layer.getWeights().map((w) => w.shape.join('×'));
    if (weights.map((w) => w.shape.join('×')).join() !== shapes.join()) fail(`${values.from}: layer ${layer.name} has weights ${weights.map((w) => w.shape.join('×')).join(', ')}, the deeper model ${shapes.join(', ')}: only the number of convolutions may differ`);
    layer.setWeights(weights);
  } else if (layer.getClassName() === 'Conv2D') {
    const [kh, kw, cin, cout] = layer.getWeights()[0].shape;
    if (cin !== cout) fail(`new layer ${layer.name} maps ${cin} to ${cout} channels: it cannot start as the identity`);
    const kernel = new Float32Array(kh * kw * cin * cout);
    const centre = (Math.floor(kh / 2) * kw + Math.floor(kw / 2)) * cin * cout;
    for (let c = 0; c < cin; c++) kernel[centre + c * cout + c] = 1;
    layer.setWeights([tf.tensor4d(kernel, [kh, kw, cin, cout])]);
    added.push(layer.name);
  } else if (layer.getClassName() === 'BatchNormalization') {
    // the input of the convolution before it, which the identity kernel passes through
    const conv = target.getLayer(layer.name.replace(/_bn$/, ''));
    const probe = tfl.model({ inputs: target.inputs, outputs: conv.input as tfl.SymbolicTensor });
    const features = (conv.input as tfl.SymbolicTensor).shape[3] as number;
    const sum = new Float64Array(features);
    const sq = new Float64Array(features);
    let count = 0;
    for (let s = 0; s < sample.length; s += 256) {
      const e = Math.min(sample.length, s + 256);
      const values = tf.tidy(() => {
        const x = tf.div(tf.tensor4d(sample.images.subarray(s * sample.size ** 2, e * sample.size ** 2), [e - s, sample.size, sample.size, 1], 'float32'), 255);
        return (probe.predict(x) as tf.Tensor).dataSync() as Float32Array;
      });
      for (let i = 0; i < values.length; i++) {
        sum[i % features] += values[i];
        sq[i % features] += values[i] * values[i];
      }
      count += values.length / features;
    }
    const epsilon = (layer.getConfig() as { epsilon: number }).epsilon;
    const mean = Float32Array.from(sum, (v) => v / count);
    const variance = Float32Array.from(sq, (v, i) => Math.max(0, v / count - mean[i] ** 2));
    const gamma = Float32Array.from(variance, (v) => Math.sqrt(v + epsilon));
    layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(mean), tf.tensor1d(mean), tf.tensor1d(variance)]);
    added.push(layer.name);
  } else if (layer.getWeights().length > 0) {
    fail(`the deeper model's layer ${layer.name} (${layer.getClassName()}) is not in ${values.from}`);
  }
}
if (added.length === 0) fail(`--convs ${values.convs} adds no convolution to ${values.from}`);

// the deeper model must compute what the source did (up to float rounding)
const check = sample.subset(Int32Array.from({ length: 512 }, (_, i) => i));
const a = predictPixels(source, check.images, check.size, 256, false);
const b = predictPixels(target, check.images, check.size, 256, false);
let maxDiff = 0;
let agree = 0;
for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
for (let i = 0; i < check.length; i++) {
  const arg = (p: Float32Array) => { let m = 0; for (let j = 1; j < 7; j++) if (p[i * 7 + j] > p[i * 7 + m]) m = j; return m; };
  if (arg(a) === arg(b)) agree++;
}
console.log(`added ${added.join(', ')}; on ${check.length} Training images the largest probability difference is ${maxDiff.toExponential(2)}, ${agree}/${check.length} answers agree`);
if (maxDiff > 1e-2) fail('the deeper model does not compute what the source does');
const command = `npx tsx scripts/deepen.ts ${process.argv.slice(2).join(' ')}`;
const made = { deepenedFrom: values.from, convsPerBlock, command };
await saveModel(target, values.out, made);
console.log(JSON.stringify({ out: values.out, ...made }));
