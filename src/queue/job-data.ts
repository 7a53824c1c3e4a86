/**
 * A job's data checked before anything is read: exactly one image (`path`, `url` or `base64`),
 * options of the right type and range. Bad data fails its job for good (it would fail the same
 * way on every attempt), with a short reason that echoes no value whole.
 *
 * @packageDocumentation
 */
import { MIN_FACE_SIZE } from '../detection/scan.js';
import { describeValue } from '../util/text.js';
import type { EmotionJobData } from './job.js';

/** Job data that holds no image (or several), or a bad option: the job fails at once. */
export class JobDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobDataError';
  }
}

/** The image a job names. */
export type JobInput = { path: string } | { url: string } | { base64: string };

/**
 * The image of a job's data, its options checked.
 * @throws JobDataError when the data holds no (or several) images, or bad options.
 */
export function checkJobData(data: unknown): JobInput {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new JobDataError(`job data must be an object with "path", "url" or "base64", got ${describeValue(data)}`);
  }
  const d = data as Record<string, unknown>;
  if (d[UNREADABLE_DATA] === true) throw new JobDataError('job data is not valid JSON (added by hand?): expected an object with "path", "url" or "base64"');
  const given = (['path', 'url', 'base64'] as const).filter((k) => typeof d[k] === 'string' && d[k] !== '');
  if (given.length !== 1) {
    throw new JobDataError(`job data needs exactly one image: "path", "url" or "base64"${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`);
  }
  const bad = (key: string, what: string) => new JobDataError(`job data "${key}" must be ${what}, got ${describeValue(d[key])}`);
  if (d.name !== undefined && typeof d.name !== 'string') throw bad('name', 'a string');
  for (const key of ['faces', 'crop', 'tta'] as const) if (d[key] !== undefined && typeof d[key] !== 'boolean') throw bad(key, 'true or false');
  if (d.model !== undefined && typeof d.model !== 'string') throw bad('model', 'a model id (a string)');
  const num = (key: keyof EmotionJobData, ok: (v: number) => boolean, what: string) => {
    const v = d[key];
    if (v !== undefined && (typeof v !== 'number' || !ok(v))) throw bad(key, what);
  };
  num('minFaceScore', (v) => v >= 0 && v <= 1, 'a number in 0–1');
  num('maxFaces', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  num('minFaceSize', (v) => Number.isFinite(v) && v >= MIN_FACE_SIZE, `a number ≥ ${MIN_FACE_SIZE} (pixels)`);
  const key = given[0];
  return { [key]: d[key] as string } as JobInput;
}

/** Marks the stand-in data of a job whose stored data is not JSON (see {@link tolerateUnreadableData}). */
export const UNREADABLE_DATA = '__ferUnreadableJobData';

/**
 * A subclass of BullMQ's `Worker` that takes a job whose stored data is not JSON (added to Redis
 * by hand) with stand-in data instead of failing to build it — which would leave the job active
 * with no one processing it. The processor then fails it for good ({@link checkJobData}).
 */
export function tolerateUnreadableData<W extends abstract new (...args: never[]) => object>(WorkerClass: W): W {
  type Base = new (...args: unknown[]) => { createJob(json: { data?: string }, jobId: string): unknown };
  return class extends (WorkerClass as unknown as Base) {
    override createJob(json: { data?: string }, jobId: string): unknown {
      try {
        return super.createJob(json, jobId);
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        try {
          JSON.parse(json.data || '{}');
        } catch {
          return super.createJob({ ...json, data: JSON.stringify({ [UNREADABLE_DATA]: true }) }, jobId);
        }
        throw e;
      }
    }
  } as unknown as W;
}
