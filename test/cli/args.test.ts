import { describe, expect, it } from 'vitest';
import { intOption, numberOption, parseCommandArgs, splitCommand, UsageError } from '../../src/cli/args.js';
import { attachSource, errorLine, exitCodeFor, SourceError } from '../../src/cli/errors.js';
import { formatDuration, formatEvaluation, formatPrediction, progressLine, table } from '../../src/cli/output.js';
import { FerDataError } from '../../src/data/errors.js';
import { metricsFromConfusion } from '../../src/evaluation/metrics.js';

describe('cli args', () => {
  it('finds the command around global options', () => {
    expect(splitCommand(['--backend', 'cpu', 'predict', 'a.png'])).toEqual({ command: 'predict', rest: ['--backend', 'cpu', 'a.png'] });
    expect(splitCommand(['--verbose', 'info', '--json'])).toEqual({ command: 'info', rest: ['--verbose', '--json'] });
    expect(splitCommand(['--help'])).toEqual({ rest: ['--help'] });
  });

  it('parses strictly and reads typed options', () => {
    const a = parseCommandArgs(['--epochs', '3', '--lr', '0.01', '--json', 'x'], { epochs: { type: 'string' }, lr: { type: 'string' }, json: { type: 'boolean' } }, true);
    expect(a.positionals).toEqual(['x']);
    expect(intOption(a.values, 'epochs', 1)).toBe(3);
    expect(numberOption(a.values, 'lr', 0)).toBe(0.01);
    expect(intOption(a.values, 'missing', 1)).toBeUndefined();
    expect(() => parseCommandArgs(['--nope'], {}, false)).toThrow(UsageError);
    expect(() => parseCommandArgs(['pos'], {}, false)).toThrow(UsageError);
    const bad = parseCommandArgs(['--epochs', '1.5', '--lr', '1'], { epochs: { type: 'string' }, lr: { type: 'string' } }, false);
    expect(() => intOption(bad.values, 'epochs', 1)).toThrow(/--epochs must be an integer ≥ 1, got "1.5"/);
    expect(() => numberOption(bad.values, 'lr', 0, 1)).toThrow(/--lr must be a number in \[0, 1\)/);
  });
});

describe('cli errors', () => {
  it('formats one line naming the file, without repeating it', () => {
    expect(errorLine(new FerDataError('bad label "9"', { source: 'a.csv', row: 3 }))).toBe('fer-cnn-lstm: a.csv, row 3: bad label "9"');
    expect(errorLine(attachSource('m.json', new Error('boom\n  more')))).toBe('fer-cnn-lstm: m.json: boom more');
    expect(errorLine(attachSource('m.json', new Error('m.json: no such file')))).toBe('fer-cnn-lstm: m.json: no such file');
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(new SourceError('x'))).toBe(1);
  });
});

describe('cli output', () => {
  it('formats durations, tables, predictions and evaluations', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(table([['a', '1'], ['bbb', '22']])).toEqual(['a     1', 'bbb  22']);
    expect(formatPrediction('f.png', { emotion: 'Happy', confidence: 0.8, scores: { Happy: 0.8, Sad: 0.15, Angry: 0.05 } }))
      .toBe('f.png: Happy 80.0% (Sad 15.0%, Angry 5.0%)');
    const p = { epoch: 1, batch: 10, batches: 20, loss: 1.23456, accuracy: 0.5, learningRate: 1e-3, imagesPerSecond: 99.6, etaSeconds: 30 };
    expect(progressLine(p, 3)).toBe('epoch 1/3  batch 10/20  loss 1.2346  acc 50.0%  100 img/s  ETA 30s (run 2m30s)');
    expect(progressLine({ ...p, epoch: 3 }, 3)).toBe('epoch 3/3  batch 10/20  loss 1.2346  acc 50.0%  100 img/s  ETA 30s');
    const r = metricsFromConfusion([[3, 1], [0, 4]], ['Happy', 'Sad']);
    const text = formatEvaluation(r).join('\n');
    expect(text).toMatch(/accuracy\s+87\.50%/);
    expect(text).toMatch(/Happy\s+1\.000\s+0\.750\s+0\.857\s+4/);
    expect(text).toMatch(/Sad\s+0\s+4/);
  });
});
