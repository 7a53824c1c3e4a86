/**
 * `fer-cnn-lstm/queue`: emotion recognition past one machine, on a BullMQ queue in Redis. Workers
 * ({@link createEmotionWorker}, or `fer-cnn-lstm worker`) on any number of machines take image
 * jobs; producers ({@link enqueueImages}, {@link collectResults}, or `fer-cnn-lstm enqueue`) add
 * them and read the results, keyed by job id. Needs the optional peer dependencies `bullmq` and
 * `ioredis` (`npm install bullmq ioredis`).
 *
 * @module fer-cnn-lstm/queue
 */
export * from './queue/index.js';
