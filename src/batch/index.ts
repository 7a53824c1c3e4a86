/**
 * The batch folder's API, exported by the `fer-cnn-lstm/batch` entry (src/batch.ts).
 *
 * `fer-cnn-lstm/batch`: classify whole folders (any number of files) on every core, streaming.
 *
 * @packageDocumentation
 */
export { predictFiles, defaultWorkers } from './predict-files.js';
export type { PredictFilesOptions, BatchProgress, FileResult, FileClassification, FileFaces, FileError, BatchFace, TaskOptions } from './predict-files.js';
export { listImageFiles, countImageFiles, IMAGE_EXTENSIONS, type ListOptions } from './files.js';
export { formatResult, formatOf, csvHeader, readResumeState, type OutputFormat, type ResumeState, type RowStatus } from './output.js';
export { ProgressDisplay, type ProgressDisplayOptions, type ProgressStream } from './progress.js';
