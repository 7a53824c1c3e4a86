/**
 * FER-2013 splits (the `Usage` column of `fer2013.csv`, the file-name prefix in the Kaggle folders).
 *
 * @packageDocumentation
 */

/** A FER-2013 split. `Training` 28,709 images; `PublicTest` and `PrivateTest` 3,589 each. */
export type Split = 'Training' | 'PublicTest' | 'PrivateTest';

/** Split names accepted by filters: the three splits, plus `train` (= Training) and `test` (= both test splits). */
export type SplitFilter = Split | 'train' | 'test' | 'all';

/** The splits in code order (their index is stored per image). */
export const SPLITS: readonly Split[] = ['Training', 'PublicTest', 'PrivateTest'];

/** Parses a split name or alias, case-insensitively. */
export function parseSplitFilter(name: string): SplitFilter | undefined {
  const n = name.trim().toLowerCase();
  const map: Record<string, SplitFilter> = {
    training: 'Training', publictest: 'PublicTest', privatetest: 'PrivateTest',
    train: 'train', test: 'test', all: 'all',
  };
  return map[n];
}

/** The split codes (indices into {@link SPLITS}) that a filter selects. */
export function splitCodes(filter: SplitFilter): number[] {
  switch (filter) {
    case 'train': return [0];
    case 'test': return [1, 2];
    case 'all': return [0, 1, 2];
    default: {
      const code = SPLITS.indexOf(filter);
      if (code < 0) throw new RangeError(`unknown split "${String(filter)}" (expected Training, PublicTest, PrivateTest, train, test or all)`);
      return [code];
    }
  }
}

/** The split of a Kaggle file name from its prefix (`Training_…`, `PublicTest_…`, `PrivateTest_…`). */
export function splitFromFileName(name: string): Split | undefined {
  const m = /^(Training|PublicTest|PrivateTest)_/i.exec(name);
  return m ? SPLITS.find((s) => s.toLowerCase() === m[1].toLowerCase()) : undefined;
}

/** The split a top-level folder stands for (`train/` → Training, `test/` → PublicTest, …). */
export function splitFromFolder(name: string): Split | undefined {
  const n = name.toLowerCase();
  if (n === 'train' || n === 'training') return 'Training';
  if (n === 'test' || n === 'val' || n === 'validation' || n === 'publictest') return 'PublicTest';
  if (n === 'privatetest') return 'PrivateTest';
  return undefined;
}
