/**
 * The one place that imports TensorFlow.js. Every other module imports `tf`/`tfl` from here, so
 * chained ops are registered before any model is built, whatever the module format.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerChainedOps } from './chained-ops.js';

registerChainedOps();

export { tf, tfl };
