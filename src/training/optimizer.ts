/**
 * The optimizers `train()` can use: Adam (the default) and SGD with (Nesterov) momentum, the
 * optimizer of the best published single network on FER-2013 (Khaireddin & Chen, 2021: SGD,
 * Nesterov momentum 0.9, reduce-on-plateau).
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';

/** Which optimizer trains the model. */
export type OptimizerConfig =
  | { type: 'adam' }
  /** Stochastic gradient descent with momentum (default 0.9), Nesterov's by default. */
  | { type: 'sgd'; momentum?: number; nesterov?: boolean };

/** An optimizer whose learning rate the schedule sets before each step. */
export interface ScheduledOptimizer {
  optimizer: tf.Optimizer;
  setLearningRate(lr: number): void;
}

/**
 * Checks an optimizer configuration, naming the bad field.
 * @throws RangeError for an unknown type, a momentum outside [0, 1) or a non-boolean `nesterov`.
 */
export function checkOptimizerConfig(config: OptimizerConfig): void {
  const c = config as { type?: unknown; momentum?: unknown; nesterov?: unknown };
  if (typeof c !== 'object' || c === null) throw new RangeError(`optimizer must be {"type": "adam"} or {"type": "sgd", "momentum"?, "nesterov"?}, got ${JSON.stringify(config)}`);
  if (c.type === 'adam') {
    const extra = Object.keys(c).filter((k) => k !== 'type');
    if (extra.length > 0) throw new RangeError(`optimizer: adam takes no "${extra[0]}"`);
    return;
  }
  if (c.type !== 'sgd') throw new RangeError(`optimizer type must be "adam" or "sgd", got ${JSON.stringify(c.type)}`);
  const extra = Object.keys(c).filter((k) => !['type', 'momentum', 'nesterov'].includes(k));
  if (extra.length > 0) throw new RangeError(`optimizer: unknown key "${extra[0]}" (sgd takes momentum, nesterov)`);
  if (c.momentum !== undefined && !(typeof c.momentum === 'number' && c.momentum >= 0 && c.momentum < 1)) {
    throw new RangeError(`optimizer momentum must be a number in [0, 1), got ${JSON.stringify(c.momentum)}`);
  }
  if (c.nesterov !== undefined && typeof c.nesterov !== 'boolean') throw new RangeError(`optimizer nesterov must be true or false, got ${JSON.stringify(c.nesterov)}`);
}

/** Creates the optimizer `config` names at learning rate `lr`. */
export function createOptimizer(config: OptimizerConfig, lr: number): ScheduledOptimizer {
  checkOptimizerConfig(config);
  if (config.type === 'sgd') {
    // SGD and momentum keep -lr as a tensor: setLearningRate replaces it
    const optimizer = tf.train.momentum(lr, config.momentum ?? 0.9, config.nesterov ?? true);
    return { optimizer, setLearningRate: (x) => optimizer.setLearningRate(x) };
  }
  const optimizer = tf.train.adam(lr);
  // Adam reads the learning rate field at every step
  return { optimizer, setLearningRate: (x) => { (optimizer as unknown as { learningRate: number }).learningRate = x; } };
}
