/** The helpers of the docs' shell check: reading `--help`, finding `fer-cnn-lstm` calls in snippets. */
import { describe, expect, it } from 'vitest';
import { cliInvocations, parseHelp } from './cli-help.js';

describe('parseHelp', () => {
  it('lists commands, line-leading options and literal sub-commands', () => {
    const main = parseHelp('Usage: fer-cnn-lstm <command> [options]\n\nCommands:\n  predict   predict things\n  info      show\n\nOptions:\n  -h, --help         show help\n  --backend <name>   backend (mentions --not-this)\n');
    expect(main).toEqual({ commands: ['predict', 'info'], options: ['-h', '--help', '--backend'], subcommands: [] });
    expect(parseHelp('Usage: fer-cnn-lstm plot <confusion|curves|samples> [options]\n  --out <file>  where').subcommands).toEqual(['confusion', 'curves', 'samples']);
    expect(parseHelp('Usage: fer-cnn-lstm cache [clear]\n').subcommands).toEqual(['clear']);
    expect(parseHelp('Usage: fer-cnn-lstm video <file> [--fps 5]\n').subcommands).toEqual([]);
  });
});

describe('cliInvocations', () => {
  it('finds fer-cnn-lstm and node dist/cli.cjs calls, not package names or comments', () => {
    const code = [
      'npm install fer-cnn-lstm bullmq   # fer-cnn-lstm --nope',
      'npm ci && npm run build && node dist/cli.cjs predict a.png --json',
      'fer-cnn-lstm predict x.jpg [--tta | --no-tta] --out=r.csv | head -1',
      'fer-cnn-lstm evaluate --data d \\',
      '  --split PublicTest > out.json',
      'npx fer-cnn-lstm --help',
      'fer-cnn-lstm plot confusion|curves|samples … --out f.svg',
      'fer-cnn-lstm worker --redis "redis://:$SECRET@h:6379 # not a comment"',
    ].join('\n');
    expect(cliInvocations(code)).toEqual([
      { line: 2, command: 'predict', options: ['--json'], positionals: ['a.png'] },
      { line: 3, command: 'predict', options: ['--tta', '--no-tta', '--out'], positionals: ['x.jpg'] },
      { line: 4, command: 'evaluate', options: ['--data', '--split'], positionals: [] },
      { line: 6, command: undefined, options: ['--help'], positionals: [] },
      { line: 7, command: 'plot', options: ['--out'], positionals: ['confusion|curves|samples', '…'] },
      { line: 8, command: 'worker', options: ['--redis'], positionals: [] },
    ]);
  });
});
