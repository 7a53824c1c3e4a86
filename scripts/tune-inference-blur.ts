/**
 * Chooses the inference blur of a trained model on PublicTest (model selection, like choosing the
 * epoch): rebuilds the run's best model with each σ (weights unchanged, `rebuildCnnLstm`) and
 * prints its PublicTest accuracy and macro-F1. Pass the best σ to `release-weights.ts --inference-blur`.
 *
 *   npx tsx scripts/tune-inference-blur.ts --run runs/cnn-lstm-ds2 [--sigmas 2.6,3,3.4,3.8,4.2]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/backends/select.js';
import { FerDataset } from '../src/data/fer-dataset.js';
import { evaluate } from '../src/evaluation/evaluate.js';
import type { CnnLstmOptions } from '../src/model/cnn-lstm.js';
import { loadModel } from '../src/model/io.js';
import { rebuildCnnLstm } from '../src/model/rebuild.js';
import type { CheckpointState } from '../src/training/checkpoint.js';

const { values } = parseArgs({ options: {
  run: { type: 'string', default: 'runs/cnn-lstm-ds2' },
  data: { type: 'string', default: '../shared/datasets/fer2013' },
  sigmas: { type: 'string', default: '2.6,3,3.4,3.8,4.2' },
} });
await selectBackend('wasm');
const state = JSON.parse(await readFile(join(values.run!, 'checkpoint.json'), 'utf8')) as CheckpointState;
const options = ((state.config ?? {}) as { model?: CnnLstmOptions }).model ?? {};
const trained = await loadModel(join(values.run!, 'best'));
const test = (await FerDataset.fromDirectory(values.data!)).filter('PublicTest');
for (const sigma of values.sigmas!.split(',').map(Number)) {
  const model = rebuildCnnLstm(trained, { ...options, blurSigma: sigma });
  const r = await evaluate(model, test);
  console.log(JSON.stringify({ sigma, accuracy: +r.accuracy.toFixed(4), macroF1: +r.macroF1.toFixed(4) }));
  model.dispose();
}
