/**
 * Rebuilds a trained CNN-LSTM with this version's layer classes and (possibly changed) fixed
 * options, keeping its trained weights.
 *
 * @packageDocumentation
 */
import type { tfl } from '../backends/tf.js';
import { buildCnnLstm, type CnnLstmOptions } from './cnn-lstm.js';

/**
 * Builds `buildCnnLstm(options)` and copies the trained model's weights into it, layer by layer
 * (by name). Use it to change options that carry no weights (dropout rates), or to check that a
 * saved model is exactly the architecture that `options` describe (the release script does). Layers of
 * the trained model without a counterpart (weight-free ones) are ignored.
 *
 * @throws RangeError naming the layer when a layer with weights is missing from the trained model
 *   or its weights have other shapes (the options describe another architecture).
 */
export function rebuildCnnLstm(trained: tfl.LayersModel, options: CnnLstmOptions): tfl.LayersModel {
  const rebuilt = buildCnnLstm(options);
  for (const layer of rebuilt.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const source = trained.layers.find((l) => l.name === layer.name);
    if (!source) {
      rebuilt.dispose();
      throw new RangeError(`rebuildCnnLstm: the trained model has no layer ${layer.name}: the options describe another architecture`);
    }
    const from = source.getWeights();
    if (from.length !== weights.length || from.some((w, i) => w.shape.join() !== weights[i].shape.join())) {
      const shapes = (ws: typeof from) => ws.map((w) => `[${w.shape.join(', ')}]`).join(' ');
      rebuilt.dispose();
      throw new RangeError(`rebuildCnnLstm: layer ${layer.name} has weights ${shapes(from)} in the trained model but ${shapes(weights)} in the rebuilt one`);
    }
    layer.setWeights(from);
  }
  return rebuilt;
}
