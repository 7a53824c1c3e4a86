/**
 * `fer-cnn-lstm cache [clear]`: where the decoded-dataset cache lives, what it holds, and
 * emptying it.
 *
 * @packageDocumentation
 */
import { UsageError, type ParsedArgs } from '../args.js';
import { GLOBAL_HELP, type Command } from '../command.js';
import { EXIT } from '../errors.js';
import { out } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm cache [clear]

Dataset folders are decoded once and cached, so that the next load takes about a second. The cache
is keyed by the folder's content (every image's relative path, size and modification time), and
only the most recently used datasets are kept.

  fer-cnn-lstm cache         show the cache folder, its datasets and their size
  fer-cnn-lstm cache clear   remove every cached dataset

Environment:
  FER_CNN_LSTM_CACHE         the cache folder (default ~/.cache/fer-cnn-lstm)
  FER_CNN_LSTM_CACHE_KEEP    how many datasets to keep, most recently used first (default 4; 0 keeps none)

${GLOBAL_HELP}`;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function run(args: ParsedArgs): Promise<number> {
  const [action, extra] = args.positionals;
  if (extra !== undefined || (action !== undefined && action !== 'clear')) {
    throw new UsageError(`cache takes no argument or "clear", got "${args.positionals.join(' ')}"`);
  }
  const { clearCache, cacheKeep, defaultCacheDir, listCache } = await import('../../data/cache.js');
  const dir = defaultCacheDir();
  if (action === 'clear') {
    const removed = clearCache(dir);
    out(`removed ${removed.length} cached dataset${removed.length === 1 ? '' : 's'} (${mb(removed.reduce((a, e) => a + e.bytes, 0))}) from ${dir}`);
    return EXIT.ok;
  }
  const entries = listCache(dir);
  out(`cache folder  ${dir}`);
  out(`datasets      ${entries.length} (${mb(entries.reduce((a, e) => a + e.bytes, 0))}); keeps the ${cacheKeep()} most recently used`);
  for (const e of entries) out(`  ${e.file}  ${mb(e.bytes)}  used ${new Date(e.usedMs).toISOString()}`);
  return EXIT.ok;
}

/** The `cache` command. */
export const cacheCommand: Command = {
  name: 'cache',
  summary: 'show or clear the cache of decoded dataset folders',
  help: HELP,
  options: {},
  positionals: true,
  run,
};
