/**
 * Fine-tunes the shipped model on a small folder of labelled faces with a different class list:
 * the 7 FER-2013 emotions plus "Contempt". The convolution blocks keep the pretrained weights
 * (frozen); the LSTM, dense layer and a new 8-class classifier are trained.
 *
 *   npx tsx examples/fine-tune.ts [model-folder]
 *
 * The folder (`<class>/*.png`) is written to a temporary directory from variants of the example
 * face — the labels are only a demonstration (each class gets its own brightness), so that it runs
 * in seconds; point `FerDataset.fromDirectory` at your own folder instead.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EMOTIONS, FerDataset, buildCnnLstm, loadEmotionModel, selectBackend, shippedWeightsLocation, train,
} from '../src/index.js'; // in your project: from 'fer-cnn-lstm'
import { encodePng } from '../src/viz/index.js'; // in your project: from 'fer-cnn-lstm/viz'
import { faceVariant } from './faces.js';

const CLASSES = [...EMOTIONS, 'Contempt'];
const PER_CLASS = 4;

// 1. A small labelled folder: <class>/<n>.png
const dir = mkdtempSync(join(tmpdir(), 'fer-example-finetune-'));
CLASSES.forEach((name, c) => {
  mkdirSync(join(dir, name));
  for (let i = 0; i < PER_CLASS; i++) {
    const pixels = faceVariant({ flip: i % 2 === 1, dx: (3 * i + c) % 9, dy: (5 * i + 2 * c) % 9, brightness: 0.55 + 0.1 * c });
    writeFileSync(join(dir, name, `${i}.png`), encodePng(pixels, 48, 48, 1));
  }
});

try {
  console.log(`backend: ${await selectBackend()}`); // wasm in Node, unless @tensorflow/tfjs-node is installed
  const data = await FerDataset.fromDirectory(dir, { classes: CLASSES, cache: false });
  console.log(`dataset: ${data.length} images, classes:`, data.classCounts());

  // 2. The same architecture with an 8-class classifier.
  const model = buildCnnLstm({ numClasses: CLASSES.length, seed: 1 });

  // 3. Pretrained weights, layer by layer by name, except the classifier ("emotion").
  const weights = process.argv[2];
  if (weights !== undefined || (await shippedWeightsLocation()) !== undefined) {
    const pretrained = await loadEmotionModel({ weights });
    const copied: string[] = [];
    for (const layer of model.layers) {
      const source = pretrained.layers.find((l) => l.name === layer.name);
      if (layer.name === 'emotion' || !source || layer.getWeights().length === 0) continue;
      const values = source.getWeights();
      const same = values.length === layer.getWeights().length
        && values.every((v, i) => v.shape.join() === layer.getWeights()[i].shape.join());
      if (!same) continue;
      layer.setWeights(values);
      copied.push(layer.name);
    }
    // 4. Freeze the convolution blocks (convolutions and their batch norms).
    for (const layer of model.layers) if (/^block\d+_/.test(layer.name)) layer.trainable = false;
    console.log(`copied ${copied.length} pretrained layers; frozen: ${model.layers.filter((l) => !l.trainable && l.weights.length > 0).length} convolution and batch-norm layers`);
  } else {
    console.log('no shipped weights (weights/model.json): training every layer from scratch');
  }
  console.log(`trainable weights: ${model.trainableWeights.length}`);

  // 5. Train.
  const { history } = await train(model, data, { epochs: 2, workers: 0, batchSize: 16, validation: false, learningRate: 1e-3 });
  console.log('history:');
  console.table(history.map(({ epoch, loss, accuracy, seconds }) => ({ epoch, loss: +loss.toFixed(4), accuracy: +accuracy.toFixed(3), seconds: +seconds.toFixed(2) })));
  model.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
