/**
 * A check for loaded models: every weight finite (no NaN or Infinity). No imports, so that any
 * load path (`src/model/io.ts`, `src/inference/weights.ts`, the CLI) can call it.
 *
 * @packageDocumentation
 */

/** What {@link assertFiniteWeights} reads of a model (a tfjs `LayersModel` has it). */
export interface ModelWithWeights {
  weights: { name: string; shape: (number | null)[]; read(): { dataSync(): ArrayLike<number> } }[];
}

/**
 * Throws when a weight of `model` is NaN or ±Infinity (random bytes of the right size, a
 * diverged training run): such a model answers `NaN%` for every image.
 * @throws Error naming `source`, the weight and how many values are bad.
 */
export function assertFiniteWeights(model: ModelWithWeights, source: string): void {
  for (const w of model.weights) {
    const values = w.read().dataSync();
    let bad = 0;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) bad++;
    if (bad > 0) {
      throw new Error(`${source}: weight ${w.name} (shape [${w.shape.join(', ')}]) holds ${bad} non-finite value${bad === 1 ? '' : 's'} (NaN or Infinity) of ${values.length}: the weights file is corrupt or from a diverged training run`);
    }
  }
}
