/**
 * The queue folder's API, exported by the `fer-cnn-lstm/queue` entry (src/queue.ts).
 *
 * `fer-cnn-lstm/queue`: emotion recognition past one machine, on a BullMQ queue in Redis. Workers
 * ({@link createEmotionWorker}, or `fer-cnn-lstm worker`) on any number of machines take image
 * jobs; producers ({@link enqueueImages}, {@link collectResults}, or `fer-cnn-lstm enqueue`) add
 * them and read the results, keyed by job id. Needs the optional peer dependencies `bullmq` and
 * `ioredis` (`npm install bullmq ioredis`).
 *
 * @packageDocumentation
 */
export { createEmotionWorker, JobDataError, WORKER_DEFAULTS, type EmotionWorkerOptions } from './worker.js';
export {
  collectResults, enqueueImages, JOB_NAME,
  type CollectOptions, type EnqueuedJob, type EnqueueImage, type EnqueueOptions, type JobOutcome, type QueueClientOptions,
} from './producer.js';
export {
  emotionJobId, isFacesResult,
  type ClassificationJobResult, type NoFaceJobResult, type EmotionJobData, type EmotionJobResult, type FacesJobResult, type JobFace,
} from './job.js';
export { DEFAULT_QUEUE, parseRedisUrl, describeConnection, type RedisConnection } from './connection.js';
export { QueueDependencyError } from './deps.js';
export { listImageFiles } from './files.js';
export { INPUT_DEFAULTS, InputRefusedError, REFUSED_INPUT, type InputPolicy } from './input-policy.js';
export { redactRedisUrl, REDIS_URL_ENV } from './connection.js';
