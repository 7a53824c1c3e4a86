import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, ROOT, runCli } from './run-cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('fer-cnn-lstm info, --help, --version', () => {
  it('info --json reports version, backend, tfjs version and the weights', async () => {
    const r = await runCli(['info', '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(lines(r.stdout).at(-1)!);
    expect(info.version).toBe(pkg.version);
    expect(['wasm', 'tensorflow', 'cpu']).toContain(info.backend); // wasm unless tfjs-node or FER_CNN_LSTM_BACKEND says otherwise
    expect(info.tfjs.core).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.tfjs.layers).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.weights).toHaveProperty('location');
    expect(info.weights).toHaveProperty('publicTestAccuracy');
  });

  const metaFile = join(ROOT, 'weights', 'metadata.json');
  const meta = (() => { try { return JSON.parse(readFileSync(metaFile, 'utf8')); } catch { return undefined; } })();
  it.skipIf(!meta?.calibration)(`info shows the shipped weights' calibration${meta?.calibration ? '' : ' (skipped: weights/metadata.json has none)'}`, async () => {
    const r = await runCli(['info', '--json']);
    const info = JSON.parse(lines(r.stdout).at(-1)!);
    expect(info.weights.calibration.temperature).toBeCloseTo(meta.calibration.temperature, 6);
    const text = await runCli(['info']);
    expect(text.stdout).toMatch(/calibration\s+temperature \d\.\d{3} \(fitted on PublicTest\), ECE [\d.]+% → [\d.]+%/);
  });

  it.skipIf(!meta)(`info gives the accuracy of the shipped model as predict runs it, with its TTA${meta ? '' : ' (skipped: no weights/metadata.json)'}`, async () => {
    const { VARIANT_TTA } = await import('../../src/inference/weights.js');
    // the release measured what predictEmotion runs: the default variant's own TTA
    expect(meta.tta ?? false).toBe(VARIANT_TTA.default);
    const info = JSON.parse(lines((await runCli(['info', '--json'])).stdout).at(-1)!);
    expect(info.weights.publicTestAccuracy).toBe(meta.publicTestAccuracy);
    expect(info.weights.tta).toBe(meta.tta ?? false);
    const text = await runCli(['info']);
    expect(text.stdout).toMatch(meta.tta ? new RegExp(`accuracy\\s+[\\d.]+% on FER-2013 PublicTest \\(${meta.tta === true ? 'flip' : meta.tta} TTA, as predict runs it\\)`) : /accuracy\s+[\d.]+% on FER-2013 PublicTest,/);
  });

  it.skipIf(!meta)(`info gives the CK+ accuracy (evaluation only) that the release recorded${meta ? '' : ' (skipped: no weights/metadata.json)'}`, async () => {
    const ckplus = meta.crossDataset?.ckplus;
    expect(ckplus, 'weights/metadata.json: crossDataset.ckplus (scripts/release-weights.ts or scripts/measure-ckplus.ts writes it)').toBeDefined();
    const info = JSON.parse(lines((await runCli(['info', '--json'])).stdout).at(-1)!);
    expect(info.weights.ckplus).toEqual({
      count: ckplus.count, accuracy: ckplus.accuracy, macroF1: ckplus.macroF1, accuracyUniformPrior: ckplus.accuracyUniformPrior,
      publicTestAccuracyUniformPrior: ckplus.publicTestAccuracyUniformPrior, evaluationOnly: true,
    });
    const text = await runCli(['info']);
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    expect(text.stdout).toContain(`CK+           ${pct(ckplus.accuracy)} (evaluation only, ${ckplus.count} faces; classPrior 'uniform': ${pct(ckplus.accuracyUniformPrior)})\n`);
  });

  it('info honours --backend', async () => {
    const r = await runCli(['info', '--json', '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).backend).toBe('cpu');
  });

  it('info prints readable lines', async () => {
    const r = await runCli(['info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(pkg.version);
    expect(r.stdout).toMatch(/backend\s+(wasm|tensorflow|cpu)\n/);
    expect(r.stdout).toMatch(/weights\s+\S/);
  });

  it('--version prints the version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists the commands; each command has --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['predict', 'evaluate', 'info', 'train']) expect(r.stdout).toContain(c);
    for (const [c, opt] of [['predict', '--weights'], ['evaluate', '--split'], ['info', '--json'], ['train', '--resume']]) {
      const h = await runCli([c, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: fer-cnn-lstm ${c}`);
      expect(h.stdout).toContain(opt);
    }
  });

  it('an unknown command or option is a usage error (exit 2, one line)', async () => {
    let r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    r = await runCli(['info', '--bogus']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/--bogus/);
  });

  it('an unknown --backend is a usage error; --verbose adds the stack trace to a failure', async () => {
    let r = await runCli(['info', '--backend', 'nonsense']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['fer-cnn-lstm: --backend must be one of wasm, cpu, tensorflow, webgl, webgpu, got "nonsense" (see --help)']);
    r = await runCli(['evaluate', '--data', join(ROOT, 'no-such-folder'), '--verbose']);
    expect(r.code).toBe(1);
    const errs = lines(r.stderr);
    expect(errs[0]).toBe(`fer-cnn-lstm: ${join(ROOT, 'no-such-folder')}: no such folder`);
    expect(errs.length).toBeGreaterThan(1);
    expect(r.stderr).toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  });
});
