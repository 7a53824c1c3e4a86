/**
 * `fer-cnn-lstm reproduce --recipe configs/default.json --data <fer2013> --out <dir>`: replays a
 * recipe (training runs, weight averages, deepenings) from the images to `<out>/weights`;
 * rerunning it skips finished stages and resumes an interrupted one.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { flag, intOption, requiredString, UsageError, type ParsedArgs } from '../args.js';
import { GLOBAL_HELP, loadDataset, startBackend, type Command } from '../command.js';
import { EXIT, oneLine, PROGRAM, SourceError } from '../errors.js';
import { out } from '../quiet.js';

const HELP = `Usage: fer-cnn-lstm reproduce --recipe <file.json> --data <fer2013 dir> --out <dir> [options]

Makes a model from the images by replaying a recipe: a chain of stages, each a training run (its
parent, its teacher, the epochs it keeps), a weight average of earlier stages, or a deepening.
configs/default.json is the recipe of the shipped weights (about 13 hours on 2 cores).
Each stage is written to <out>/stages/<name>/, the released model to <out>/weights (the layout of
the package's weights/: model.json, weights.bin, float16/, uint8/, metadata.json). Ctrl-C stops after
the current batch; the same command continues: finished stages are skipped, an interrupted training
stage resumes from its last finished epoch.

Options:
  --recipe <file.json>   the recipe (stages and release; see docs/reproduce.md)
  --data <dir>           FER-2013 as folders (train/<emotion>/, test/<emotion>/): training on
                         train/, validation on test/ (PublicTest), as the recorded runs did
  --out <dir>            output folder
  --workers <n>          gradient worker threads of every training stage, instead of the recipe's
                         (another number gives other, equally good, weights)
  --json                 the last stdout line is {"stages","released","interrupted"}

${GLOBAL_HELP}`;

async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const v = args.values;
  const recipeFile = requiredString(v, 'recipe');
  const data = requiredString(v, 'data');
  const outDir = requiredString(v, 'out');
  const workers = intOption(v, 'workers', 0);
  const json = flag(v, 'json');
  let text: string;
  try {
    text = await readFile(recipeFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SourceError(`${recipeFile}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a JSON recipe' : oneLine(e)}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SourceError(`${recipeFile}: not valid JSON (${(e as Error).message})`);
  }
  const { parseRecipe } = await import('../../training/recipe.js');
  let recipe;
  try {
    recipe = parseRecipe(value, recipeFile);
  } catch (e) {
    throw new SourceError((e as Error).message);
  }
  const say = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');
  await startBackend(args);
  const dataset = await loadDataset(data);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort();
    process.stderr.write(`${PROGRAM}: stopping after this batch (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onSigint);
  const { reproduce } = await import('../../training/reproduce.js');
  let result;
  try {
    result = await reproduce(recipe, dataset, { out: outDir, workers, onLog: say, signal: controller.signal });
  } catch (e) {
    throw e instanceof RangeError ? new SourceError(`${data}: ${oneLine(e)}`) : e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (json) out(JSON.stringify(result));
  if (result.interrupted) {
    const rerun = [PROGRAM, 'reproduce', ...args.raw].join(' ');
    process.stderr.write(`${PROGRAM}: interrupted; the same command continues: ${rerun}\n`);
    return EXIT.interrupted;
  }
  if (!json) say(`released: ${Object.values(result.released).join(', ')}`);
  return EXIT.ok;
}

/** The `reproduce` command. */
export const reproduceCommand: Command = {
  name: 'reproduce',
  summary: 'make a model from the images by replaying a recipe (e.g. configs/default.json: the shipped weights)',
  help: HELP,
  options: {
    recipe: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    workers: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: false,
  run,
};
