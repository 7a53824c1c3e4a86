/**
 * `FerDataset`: FER-2013 (or any folder of labelled faces) as compact 8-bit arrays, with split
 * filters, class counts and seeded batches.
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import { EMOTIONS } from '../emotions.js';
import { Random } from '../util/random.js';
import { FerDataError } from './errors.js';
import { SPLITS, splitCodes, type Split, type SplitFilter } from './splits.js';
import { augment, type AugmentOptions } from './augment.js';

/** What loading did: images read, converted, skipped. */
export interface LoadSummary {
  /** Images kept. */
  count: number;
  /** Images that were not `size × size` and were resized. */
  resized: number;
  /** Images in colour that were converted to gray. */
  colour: number;
  /** Files left out with `onError: 'skip'`, with the reason. */
  skipped: { source: string; reason: string }[];
  /** True when the decoded images came from the cache. */
  cached: boolean;
  /** Seconds the load took. */
  seconds: number;
}

/** Options shared by the loaders. */
export interface LoadOptions {
  /** Class names in label order. Default: the 7 FER-2013 emotions. Folder names match case-insensitively. */
  classes?: readonly string[];
  /** Image side in pixels. Default 48. */
  size?: number;
  /** On an unreadable image: `'throw'` (default) or `'skip'` (recorded in the summary). */
  onError?: 'throw' | 'skip';
  /** Cache decoded folders (Node). Default true. */
  cache?: boolean;
  /** Cache folder. Default `$FER_CNN_LSTM_CACHE` or `~/.cache/fer-cnn-lstm`. */
  cacheDir?: string;
}

/** One batch as tensors: `xs` `[n, size, size, 1]` float32 in [0, 1], `ys` one-hot `[n, classes]`. */
export interface TensorBatch {
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
}

/** Options of {@link FerDataset.batches}. */
export interface BatchOptions {
  /** Shuffle the order (seeded). Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle and augmentation. Default 42. */
  seed?: number;
  /** Augment each batch with {@link augment}. Default: none. */
  augment?: AugmentOptions;
  /** Drop the last incomplete batch. Default false. */
  dropRemainder?: boolean;
}

/** Images and labels of a FER-style dataset. Construct it with {@link FerDataset.fromCsv}, {@link FerDataset.fromDirectory} or {@link FerDataset.fromArrays}. */
export class FerDataset {
  /** Image side in pixels. */
  readonly size: number;
  /** Class names in label order. */
  readonly classes: readonly string[];
  /** All images, `length × size × size` bytes, row-major gray. */
  readonly images: Uint8Array;
  /** Label index per image. */
  readonly labels: Uint8Array;
  /** Split code per image (index into `SPLITS`). */
  readonly splitCodes: Uint8Array;
  /** Where each image came from (file path relative to the root, or `row N`). */
  readonly sources: readonly string[];
  /** What loading did. */
  readonly summary: LoadSummary;

  constructor(data: {
    images: Uint8Array; labels: Uint8Array; splits?: Uint8Array; sources?: readonly string[];
    classes?: readonly string[]; size?: number; summary?: Partial<LoadSummary>;
  }) {
    this.size = data.size ?? 48;
    this.classes = data.classes ?? EMOTIONS;
    const n = data.labels.length;
    const px = this.size * this.size;
    if (data.images.length !== n * px) {
      throw new FerDataError(`images hold ${data.images.length} bytes, expected ${n} × ${px} (${this.size}×${this.size})`);
    }
    for (let i = 0; i < n; i++) {
      if (data.labels[i] >= this.classes.length) throw new FerDataError(`label ${data.labels[i]} of image ${i} is not below ${this.classes.length} classes`);
    }
    if (data.splits && data.splits.length !== n) throw new FerDataError(`${data.splits.length} split codes for ${n} images`);
    if (data.splits) {
      for (let i = 0; i < n; i++) {
        if (data.splits[i] >= SPLITS.length) throw new FerDataError(`split code ${data.splits[i]} of image ${i} is not below ${SPLITS.length} (${SPLITS.join(', ')})`);
      }
    }
    if (data.sources && data.sources.length !== n) throw new FerDataError(`${data.sources.length} sources for ${n} images`);
    this.images = data.images;
    this.labels = data.labels;
    this.splitCodes = data.splits ?? new Uint8Array(n);
    this.sources = data.sources ?? Array.from({ length: n }, (_, i) => `#${i}`);
    this.summary = { count: n, resized: 0, colour: 0, skipped: [], cached: false, seconds: 0, ...data.summary };
  }

  /** Builds a dataset from arrays you already have. */
  static fromArrays(images: Uint8Array, labels: ArrayLike<number>, options: { classes?: readonly string[]; size?: number; splits?: ArrayLike<number> } = {}): FerDataset {
    const k = (options.classes ?? EMOTIONS).length;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (!Number.isInteger(l) || l < 0 || l >= k) throw new FerDataError(`label ${l} of image ${i} is not an integer in 0–${k - 1}`);
    }
    if (options.splits) {
      for (let i = 0; i < options.splits.length; i++) {
        const c = options.splits[i];
        if (!Number.isInteger(c) || c < 0 || c >= SPLITS.length) throw new FerDataError(`split code ${c} of image ${i} is not an integer in 0–${SPLITS.length - 1} (${SPLITS.join(', ')})`);
      }
    }
    return new FerDataset({
      images, labels: Uint8Array.from(labels), splits: options.splits ? Uint8Array.from(options.splits) : undefined,
      classes: options.classes, size: options.size,
    });
  }

  /**
   * Reads the original Kaggle `fer2013.csv` (`emotion,pixels,Usage`) from a path (Node) or from
   * its text (any string containing a newline is taken as the text).
   * @throws FerDataError naming the file and row of the first bad row.
   */
  static async fromCsv(pathOrText: string, options: LoadOptions = {}): Promise<FerDataset> {
    const t0 = Date.now();
    const isText = pathOrText.includes('\n');
    let text = pathOrText;
    const source = isText ? 'CSV text' : pathOrText;
    if (!isText) {
      const { readFile } = await import('node:fs/promises');
      try {
        text = await readFile(pathOrText, 'utf8');
      } catch (e) {
        throw new FerDataError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, { source });
      }
    }
    const { parseFerCsv } = await import('./csv.js');
    const classes = options.classes ?? EMOTIONS;
    const d = parseFerCsv(text, { source, size: options.size, numClasses: classes.length });
    return new FerDataset({
      images: d.images, labels: d.labels, splits: d.splits, sources: d.rows.map((r) => `row ${r}`),
      classes, size: options.size, summary: { seconds: (Date.now() - t0) / 1000 },
    });
  }

  /**
   * Reads a folder of labelled images (Node): the Kaggle layout (`train/<emotion>/`,
   * `test/<emotion>/`) or `<class>/` folders directly; JPEG or PNG, any file names. The split comes
   * from the `Training_`/`PublicTest_`/`PrivateTest_` prefix, else from the top folder. Other
   * sizes and colour images are converted to `size × size` gray and counted in `summary`.
   * Decoded images are cached, so a second load of the same folder takes about a second.
   */
  static async fromDirectory(dir: string, options: LoadOptions = {}): Promise<FerDataset> {
    const t0 = Date.now();
    const size = options.size ?? 48;
    const classes = options.classes ?? EMOTIONS;
    const { listDirectory, decodeEntries } = await import('./directory.js');
    const cache = await import('./cache.js');
    const entries = listDirectory(dir, classes);
    const useCache = options.cache !== false;
    const cacheDir = options.cacheDir ?? cache.defaultCacheDir();
    const key = cache.cacheKey(entries, size, classes);
    let decoded = useCache ? cache.readCache(cacheDir, key) : undefined;
    const cached = decoded !== undefined;
    if (decoded && decoded.skipped.length > 0 && (options.onError ?? 'throw') === 'throw') {
      // the cache was written by a load with onError: 'skip'; this one asked to stop at bad files
      throw new FerDataError(decoded.skipped[0].reason, { source: decoded.skipped[0].source });
    }
    if (!decoded) {
      decoded = decodeEntries(entries, size, options.onError ?? 'throw');
      if (useCache) cache.writeCache(cacheDir, key, decoded, size * size);
    }
    return new FerDataset({
      images: decoded.images, labels: decoded.labels, splits: decoded.splits, sources: decoded.sources, classes, size,
      summary: { resized: decoded.resized, colour: decoded.colour, skipped: decoded.skipped, cached, seconds: (Date.now() - t0) / 1000 },
    });
  }

  /** Throws a RangeError unless `i` is an image index. */
  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`image index ${i} is out of range (dataset of ${this.length} images)`);
  }

  /** Number of images. */
  get length(): number {
    return this.labels.length;
  }

  /** The split of image `i`. */
  splitOf(i: number): Split {
    return SPLITS[this.splitCodes[i]];
  }

  /** The images of one split (`Training`, `PublicTest`, `PrivateTest`, `train`, `test`, `all`). */
  filter(split: SplitFilter): FerDataset {
    const codes = splitCodes(split);
    const idx: number[] = [];
    for (let i = 0; i < this.length; i++) if (codes.includes(this.splitCodes[i])) idx.push(i);
    return this.subset(idx);
  }

  /** A dataset of the given image indices, in that order. */
  subset(indices: ArrayLike<number>): FerDataset {
    const px = this.size * this.size;
    const n = indices.length;
    const images = new Uint8Array(n * px);
    const labels = new Uint8Array(n);
    const splits = new Uint8Array(n);
    const sources: string[] = [];
    for (let k = 0; k < n; k++) {
      const i = indices[k];
      this.checkIndex(i);
      images.set(this.images.subarray(i * px, (i + 1) * px), k * px);
      labels[k] = this.labels[i];
      splits[k] = this.splitCodes[i];
      sources.push(this.sources[i]);
    }
    return new FerDataset({ images, labels, splits, sources, classes: this.classes, size: this.size, summary: { ...this.summary, count: n } });
  }

  /** Which splits are present, with their sizes. */
  splitCounts(): Partial<Record<Split, number>> {
    const out: Partial<Record<Split, number>> = {};
    for (let i = 0; i < this.length; i++) { const s = this.splitOf(i); out[s] = (out[s] ?? 0) + 1; }
    return out;
  }

  /** Images per class, keyed by class name. */
  classCounts(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.classes.map((c) => [c, 0]));
    for (let i = 0; i < this.length; i++) out[this.classes[this.labels[i]]]++;
    return out;
  }

  /** The bytes of image `i` (a view, `size × size`). */
  image(i: number): Uint8Array {
    const px = this.size * this.size;
    return this.images.subarray(i * px, (i + 1) * px);
  }

  /** Packs the given images into `xs` (float32 in [0, 1]) and one-hot `ys` tensors. */
  toTensors(indices?: ArrayLike<number>): TensorBatch {
    const idx = indices ?? Array.from({ length: this.length }, (_, i) => i);
    const px = this.size * this.size;
    const n = idx.length;
    const x = new Float32Array(n * px);
    const y = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      this.checkIndex(idx[k]);
      const img = this.image(idx[k]);
      for (let j = 0; j < px; j++) x[k * px + j] = img[j] / 255;
      y[k] = this.labels[idx[k]];
    }
    return tf.tidy(() => ({
      xs: tf.tensor4d(x, [n, this.size, this.size, 1]),
      ys: tf.cast(tf.oneHot(tf.tensor1d(y, 'int32'), this.classes.length), 'float32') as tf.Tensor2D,
    }));
  }

  /** The image order of one epoch: shuffled with the seed, or in order. */
  order(shuffle: boolean, random: Random): Uint32Array {
    const idx = Uint32Array.from({ length: this.length }, (_, i) => i);
    return shuffle ? random.shuffle(idx) : idx;
  }

  /**
   * Seeded batches as tensors (the caller disposes each batch). With `augment`, each batch is
   * augmented with its own seed derived from `seed`.
   */
  *batches(batchSize: number, options: BatchOptions = {}): Generator<TensorBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const random = new Random(options.seed ?? 42);
    const order = this.order(options.shuffle ?? true, random);
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.subarray(start, Math.min(order.length, start + batchSize));
      if (options.dropRemainder && idx.length < batchSize) break;
      const batch = this.toTensors(idx);
      if (options.augment) {
        const xs = augment(batch.xs, { ...options.augment, seed: random.int(2 ** 31) });
        batch.xs.dispose();
        batch.xs = xs;
      }
      yield batch;
    }
  }
}
