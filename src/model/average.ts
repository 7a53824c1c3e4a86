/**
 * Weight averaging of saved models of one architecture: stochastic weight averaging over the last
 * epochs of one run (Izmailov et al., 2018), or a "model soup" of fine-tunes of one start
 * (Wortsman et al., 2022).
 *
 * @packageDocumentation
 */
import { tf, type tfl } from '../backends/tf.js';
import { loadModel } from './io.js';

/** The layer classes and weight shapes of a model (loaded copies get other weight names: `conv2d_1_1`). */
function architecture(model: tfl.LayersModel): string {
  return `${model.layers.map((l) => l.getClassName()).join(',')}|${model.weights.map((w) => w.shape.join('x')).join(',')}`;
}

/** A new model of `model`'s architecture and weights (through an in-memory save). */
async function cloneModel(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return loadModel(tf.io.fromMemory(artifacts!));
}

/**
 * A new model whose every weight — batch-norm moving statistics included — is the plain mean of
 * that weight over `models` (all of one architecture: the same layer classes and weight shapes).
 * The inputs are left unchanged; the result has the architecture, size and speed of one model.
 * The averaged convolutions do not produce the averaged batch-norm statistics: re-estimate them
 * with `recomputeBatchNorm` (fer-cnn-lstm/training) where that helps.
 *
 * @throws RangeError when `models` is empty, or a model's layers or weight shapes differ from the
 *   first's (naming its index).
 */
export async function averageWeights(models: readonly tfl.LayersModel[]): Promise<tfl.LayersModel> {
  if (models.length === 0) throw new RangeError('averageWeights: no models to average');
  const first = architecture(models[0]);
  models.forEach((m, i) => {
    if (i > 0 && architecture(m) !== first) throw new RangeError(`averageWeights: model ${i + 1} is not the architecture of model 1 (its layers or weight shapes differ)`);
  });
  const result = await cloneModel(models[0]);
  tf.tidy(() => {
    result.weights.forEach((w, j) => {
      const sum = models.reduce<tf.Tensor>((acc, m) => tf.add(acc, m.weights[j].read()), tf.zerosLike(w.read()));
      w.write(tf.div(sum, models.length));
    });
  });
  return result;
}
