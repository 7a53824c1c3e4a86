/**
 * Entry point of a gradient worker thread (Node `worker_threads`). It rebuilds the model sent by
 * the trainer on its own backend (wasm by default) and answers step and predict requests.
 *
 * @packageDocumentation
 */
import { parentPort } from 'node:worker_threads';
import { tf, tfl } from '../backends/tf.js';
import { setBackend } from '../backends/select.js';
import { useFastBatchNorm } from './fast-batchnorm.js';
import { registerCustomLayers } from '../model/layers.js';
import { shardGradients } from './loss.js';
import { EmotionClassifier } from '../inference/classifier.js';
import { readWeights, writeWeights } from './executor.js';
import type { WorkerRequest, WorkerResponse } from './protocol.js';

let model: tfl.LayersModel | undefined;
let classifier: EmotionClassifier<string> | undefined;

// The model is rebuilt from its topology, so its initializers run although the trainer's weights
// replace theirs at once: their "Orthogonal initializer … Slowness may result" notice is noise here.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('Orthogonal initializer')) return;
  warn(...args);
};

function reply(m: WorkerResponse, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(m, transfer);
}

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === 'init') {
    const backend = await setBackend(msg.backend);
    registerCustomLayers();
    model = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(msg.topology) } as never);
    if (msg.fastBatchNorm) useFastBatchNorm(model);
    reply({ type: 'ready', backend });
    return;
  }
  if (!model) throw new Error('worker used before init');
  writeWeights(model.weights, msg.weights);
  if (msg.type === 'step') {
    const g = shardGradients(model, msg.shard);
    const grads = g.grads.map((t) => t.dataSync() as Float32Array);
    tf.dispose(g.grads);
    const nonTrainable = readWeights(model.nonTrainableWeights);
    reply({ type: 'step', id: msg.id, result: { grads, nonTrainable, lossSum: g.lossSum, correct: g.correct, count: g.count } },
      [...grads, ...nonTrainable].map((a) => a.buffer as ArrayBuffer));
  } else {
    classifier ??= EmotionClassifier.fromModel<string>(model); // its forward pass follows the weights written above
    const probs = classifier.probabilities(msg.pixels, { tta: msg.tta, batchSize: 256 });
    reply({ type: 'predict', id: msg.id, probs }, [probs.buffer as ArrayBuffer]);
  }
}

parentPort!.on('message', (msg: WorkerRequest) => {
  handle(msg).catch((e: Error) => reply({ type: 'error', id: 'id' in msg ? msg.id : undefined, message: e.message, stack: e.stack }));
});
