/**
 * Training checkpoints on disk (Node): the model, the optimizer state, the history and the
 * position in the run, written so that a crash at any moment leaves the previous checkpoint
 * intact (a new `epoch-N/` folder is complete before `checkpoint.json` points at it).
 *
 * Layout: `checkpoint.json`, `epoch-N/model.json`, `epoch-N/weights.bin`, `epoch-N/optimizer.bin`,
 * and `best/` (the best model by validation accuracy, in the tfjs layers format).
 *
 * @packageDocumentation
 */
import { tf, tfl } from '../backends/tf.js';
import { fileSystemHandler, loadModel } from '../model/io.js';
import { atomicTempOwner, writeFileAtomic } from '../util/atomic-write.js';

/** One epoch of training history. */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  valMacroF1?: number;
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
}

/** What `checkpoint.json` records. */
export interface CheckpointState {
  version: 1;
  /** Completed epochs. */
  epoch: number;
  /** Folder (relative) of the latest complete checkpoint. */
  folder: string;
  history: EpochLog[];
  bestEpoch: number;
  bestValAccuracy: number;
  /** Learning-rate state (plateau schedule). */
  lr: { value: number; plateauBest: number; plateauWait: number };
  /** Early-stopping counter. */
  sinceBest: number;
  /** Optimizer tensors stored in `optimizer.bin`, in order. */
  optimizer: { name: string; shape: number[]; dtype: string }[];
  /** Free-form run configuration, for the record. */
  config?: Record<string, unknown>;
}

async function fs() {
  const f = await import('node:fs/promises');
  const p = await import('node:path');
  return { ...f, join: p.join };
}

/** Whether process `pid` runs (signal 0 probes without signalling). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Saves a checkpoint: model weights, optimizer state, run state. The previous epochs' folders are
 * removed, except those of the epochs in `keep` (they stay as `epoch-N/`, loadable models), and so
 * are the temporary files of saves that were killed.
 */
export async function saveCheckpoint(dir: string, model: tfl.LayersModel, optimizer: tf.Optimizer, state: Omit<CheckpointState, 'folder' | 'optimizer' | 'version'>, keep: readonly number[] = []): Promise<CheckpointState> {
  const { mkdir, writeFile, rm, readdir, join } = await fs();
  await mkdir(dir, { recursive: true });
  const folder = `epoch-${state.epoch}`;
  const target = join(dir, folder);
  await rm(target, { recursive: true, force: true });
  await model.save(fileSystemHandler(target));
  const named = await optimizer.getWeights();
  const specs = named.map((n) => ({ name: n.name, shape: n.tensor.shape, dtype: n.tensor.dtype }));
  const buffers = named.map((n) => Buffer.from(new Float32Array(n.tensor.dataSync()).buffer));
  await writeFile(join(target, 'optimizer.bin'), Buffer.concat(buffers));
  disposeIterations(named);
  const full: CheckpointState = { version: 1, folder, optimizer: specs, ...state };
  await writeFileAtomic(join(dir, 'checkpoint.json'), JSON.stringify(full, null, 1));
  for (const entry of await readdir(dir)) {
    if (/^epoch-\d+$/.test(entry) && entry !== folder && !keep.includes(Number(entry.slice(6)))) await rm(join(dir, entry), { recursive: true, force: true });
    // a save killed between write and rename left its temporary file: gone once its process is
    const writer = atomicTempOwner(entry, 'checkpoint.json');
    if (writer !== undefined && writer !== process.pid && !processAlive(writer)) await rm(join(dir, entry), { force: true });
  }
  return full;
}

/** Reads `checkpoint.json`, or undefined when the folder has none. */
export async function readCheckpointState(dir: string): Promise<CheckpointState | undefined> {
  const { readFile, join } = await fs();
  try {
    return JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as CheckpointState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${join(dir, 'checkpoint.json')}: unreadable checkpoint (${(e as Error).message})`);
  }
}

/** The slots each optimizer class saves, by the last part of their names. */
const OPTIMIZER_SLOTS: Record<string, string> = { Adam: 'm, v', Momentum: 'momentum', SGD: '' };

/** `optimizer.getWeights()` makes a new scalar for the step count (`iter`); the slots are the optimizer's own. */
function disposeIterations(named: { name: string; tensor: tf.Tensor }[]): void {
  tf.dispose(named.filter((n) => n.name === 'iter').map((n) => n.tensor));
}

/** Restores model weights and optimizer state from a checkpoint into `model` and `optimizer`. */
export async function restoreCheckpoint(dir: string, state: CheckpointState, model: tfl.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const { readFile, join } = await fs();
  const saved = await loadModel(join(dir, state.folder));
  const values = saved.getWeights();
  if (values.length !== model.weights.length || values.some((v, i) => v.size !== model.weights[i].read().size)) {
    saved.dispose();
    throw new Error(`${join(dir, state.folder)}: checkpoint weights do not match this model's shapes`);
  }
  model.setWeights(values);
  saved.dispose();
  const optFile = join(dir, state.folder, 'optimizer.bin');
  let buf: Buffer;
  try {
    buf = await readFile(optFile);
  } catch (e) {
    throw new Error(`${optFile}: cannot read the optimizer state (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
  const expected = state.optimizer.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0) * 4;
  if (buf.byteLength !== expected) {
    throw new Error(`${optFile}: holds ${buf.byteLength} bytes, expected ${expected} (${state.optimizer.length} optimizer tensors recorded in checkpoint.json): the file is truncated or from another run`);
  }
  // optimizers restore their slots by position: check that the saved ones are this optimizer's kind,
  // by the slot names' last part (Adam: …/m and …/v; SGD with momentum: …/momentum)
  const slots = [...new Set(state.optimizer.map((s) => s.name.split('/').pop()!).filter((k) => k !== 'iter'))].join(', ');
  const expectedSlots = OPTIMIZER_SLOTS[optimizer.getClassName()];
  if (expectedSlots !== undefined && slots !== expectedSlots) {
    throw new Error(`${optFile}: the run's optimizer state (${slots || 'none'}) is not this optimizer's (${optimizer.getClassName()}: ${expectedSlots || 'none'}): resume with the optimizer the run was started with`);
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  let off = 0;
  const named = state.optimizer.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(all.subarray(off, off + size), s.shape, s.dtype as tf.DataType);
    off += size;
    return { name: s.name, tensor: t };
  });
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
}
