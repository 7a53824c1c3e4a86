/**
 * `fer-cnn-lstm/batch`: classify whole folders (any number of files) on every core, streaming.
 *
 * @module fer-cnn-lstm/batch
 */
export * from './batch/index.js';
