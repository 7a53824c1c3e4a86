#!/usr/bin/env node
/**
 * The `fer-cnn-lstm` command-line tool. Dispatches to one of the commands of {@link COMMANDS} (the
 * registry, in help order; each command's module is loaded only when it runs), turns any failure
 * into one `fer-cnn-lstm: …` line on stderr and an exit code (0 ok, 1 failure, 2 usage error,
 * 130 interrupted).
 *
 * @packageDocumentation
 */
import { parseCommandArgs, splitCommand, UsageError } from './args.js';
import type { Command } from './command.js';
import { EXIT, exitCodeFor, reportError } from './errors.js';
import { packageInfo } from './package-info.js';
import { out, quietTfjs } from './quiet.js';

/** A command in the registry: its one-line summary, and its module, loaded only when it runs. */
interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

/** The commands, by name, in help order. */
export const COMMANDS: Record<string, CommandEntry> = {
  predict: { summary: 'predict the emotion of face images (or of every face in photos, --faces)', load: async () => (await import('./commands/predict.js')).predictCommand },
  evaluate: { summary: 'score a model on a labelled dataset (folder or CSV)', load: async () => (await import('./commands/evaluate.js')).evaluateCommand },
  info: { summary: 'show version, backend and shipped-weights details', load: async () => (await import('./commands/info.js')).infoCommand },
  train: { summary: 'train (or fine-tune) the CNN-LSTM with checkpoints and resume', load: async () => (await import('./commands/train.js')).trainCommand },
  reproduce: { summary: 'make a model from the images by replaying a recipe (configs/default.json: the shipped weights)', load: async () => (await import('./commands/reproduce.js')).reproduceCommand },
  average: { summary: 'average the weights of saved models of one architecture (weight averaging, model soups)', load: async () => (await import('./commands/average.js')).averageCommand },
  deepen: { summary: 'make a trained model deeper without changing its answers (Net2DeeperNet), to train on', load: async () => (await import('./commands/deepen.js')).deepenCommand },
  plot: { summary: 'draw an SVG: confusion matrix, training curves, or faces with predictions', load: async () => (await import('./commands/plot.js')).plot },
  cache: { summary: 'show or clear the cache of decoded dataset folders', load: async () => (await import('./commands/cache.js')).cacheCommand },
  video: { summary: 'emotions of a video over time (ffmpeg): timeline CSV and plot, faces tracked (--faces)', load: async () => (await import('./commands/video.js')).videoCommand },
  worker: { summary: 'answer emotion jobs from a BullMQ queue in Redis (one per machine, any number of machines)', load: async () => (await import('./commands/worker.js')).workerCommand },
  enqueue: { summary: 'add image jobs to the queue in Redis; --wait collects the results', load: async () => (await import('./commands/enqueue.js')).enqueueCommand },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    `Usage: fer-cnn-lstm <command> [options]`,
    '',
    'Facial emotion recognition (the 7 FER-2013 emotions) with a CNN-LSTM on TensorFlow.js.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help         show help (also "fer-cnn-lstm <command> --help")',
    '  -v, --version      show the version',
    '  --backend <name>   TensorFlow.js backend: wasm (default in Node), cpu, tensorflow',
    '  --verbose          show stack traces and TensorFlow.js warnings',
  ].join('\n');
}

/** Runs the CLI with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { command, rest } = splitCommand(argv);
  if (command === undefined || command === 'help') {
    if (rest.includes('--version') || rest.includes('-v')) { out(packageInfo().version); return EXIT.ok; }
    const topic = command === 'help' ? splitCommand(rest).command : undefined;
    if (topic && Object.hasOwn(COMMANDS, topic)) { out((await COMMANDS[topic].load()).help); return EXIT.ok; }
    if (topic) throw new UsageError(`unknown command "${topic}" (expected ${Object.keys(COMMANDS).join(', ')})`);
    if (command === undefined && !rest.some((a) => a === '--help' || a === '-h')) {
      process.stderr.write(mainHelp() + '\n');
      return EXIT.usage;
    }
    out(mainHelp());
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) throw new UsageError(`unknown command "${command}" (expected ${Object.keys(COMMANDS).join(', ')})`);
  const cmd = await entry.load();
  const args = parseCommandArgs(rest, cmd.options, cmd.positionals);
  if (args.values.help === true) { out(cmd.help); return EXIT.ok; }
  quietTfjs(args.values.verbose === true);
  return cmd.run(args);
}

/** Runs {@link main} for this process and exits with its code. */
async function runProcess(): Promise<void> {
  const argv = process.argv.slice(2);
  // a reader that went away (`predict … | head -1`) ends the CLI quietly with exit 0, as Unix tools do
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    reportError(e, argv.includes('--verbose'));
    process.exit(EXIT.failure);
  });
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    reportError(e, argv.includes('--verbose'));
    code = exitCodeFor(e);
  }
  // let stdout drain, then exit (worker threads or wasm handles must not keep the process alive)
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

void runProcess();
