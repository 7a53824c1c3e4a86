/**
 * Entry point of a batch-prediction worker thread (run by the tinypool pool of
 * {@link predictFiles}): each worker has its own TensorFlow.js backend (wasm by default) and its
 * own copy of the model, loaded on its first task, and decodes and classifies the files of each task.
 *
 * @packageDocumentation
 */
import { runTask, type Task, type TaskReply } from './core.js';

// tfjs's "looks like you are running TensorFlow.js in Node.js" banner, once per worker: noise here
const log = console.log.bind(console);
console.log = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && /running TensorFlow\.js in Node\.js/i.test(args[0])) return;
  log(...args);
};
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && /running TensorFlow\.js in Node\.js|Platform .* has already been set/i.test(args[0])) return;
  warn(...args);
};

/** Runs one task (tinypool calls the default export). */
export default function batchTask(task: Task): Promise<TaskReply> {
  return runTask(task);
}
