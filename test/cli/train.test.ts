import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/model/io.js';
import { gray, png, put, saveTinyModel, tempDir } from './fixtures.js';
import { cliFromSources, collect, lines, preloadFailingInWorkers, runCli, spawnCli } from './run-cli.js';

if (cliFromSources()) console.warn('skipping the test of the Node flags that workers inherit: it needs the built CLI (npm run build; the CLI runs from the sources now)');

let dir: string;
let model: string;
let data: string;

const LIGHT = ['--workers', '0', '--batch-size', '4'];

function history(out: string): { epoch: number; loss: number; valAccuracy?: number }[] {
  return JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
}

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  data = join(dir, 'faces');
  for (let i = 0; i < 8; i++) put(data, `train/${['happy', 'sad'][i % 2]}/Training_${i}.png`, png(gray(i)));
  for (let i = 0; i < 4; i++) put(data, `test/${['happy', 'sad'][i % 2]}/PublicTest_${i}.png`, png(gray(10 + i)));
});

describe('fer-cnn-lstm train', () => {
  it('trains an epoch into --out (history.json, checkpoint, best/), then --resume continues to --epochs 2', async () => {
    const out = join(dir, 'run');
    let r = await runCli(['train', '--data', data, '--out', out, '--from', model, '--epochs', '1', ...LIGHT]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/epoch 1\/1 .*loss \d+\.\d{4}.*acc \d+\.\d%.*img\/s/);
    expect(history(out)).toHaveLength(1);
    expect(existsSync(join(out, 'checkpoint.json'))).toBe(true);
    expect(existsSync(join(out, 'best', 'model.json'))).toBe(true);
    const first = history(out)[0];

    r = await runCli(['train', '--data', data, '--out', out, '--epochs', '2', '--resume', '--json', ...LIGHT]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1); // with --json, stdout holds only the result
    const result = JSON.parse(lines(r.stdout).at(-1)!);
    expect(Object.keys(result).sort()).toEqual(['bestEpoch', 'bestValAccuracy', 'history', 'stopReason']);
    expect(result.stopReason).toBe('completed');
    expect(result.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2]);
    expect(result.history[0]).toEqual(first);
    expect(history(out).map((h) => h.epoch)).toEqual([1, 2]);
    expect(r.stderr).toMatch(/resuming from/); // notes go to stderr with --json
    // the best model is a usable model for predict
    const p = await runCli(['predict', join(data, 'test/happy/PublicTest_0.png'), '--weights', join(out, 'best'), '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).file).toContain('PublicTest_0.png');
  });

  it.skipIf(cliFromSources())("--workers 2: the gradient workers start without the parent's Node flags (a --require that fails in worker threads)", async () => {
    const preload = preloadFailingInWorkers(dir);
    const out = join(dir, 'run-flags');
    const r = await runCli(['train', '--data', data, '--out', out, '--from', model, '--epochs', '1', '--workers', '2', '--batch-size', '4'], { nodeArgs: ['--require', preload] });
    expect(r.stderr).not.toMatch(/ran in a worker/);
    expect(r.code).toBe(0);
    expect(history(out)).toHaveLength(1);
  });

  it('--config sets the recipe (model, optimizer, schedule, label smoothing) and --resume reuses the recorded one', async () => {
    const out = join(dir, 'recipe');
    const cfg = join(dir, 'recipe.json');
    writeFileSync(cfg, JSON.stringify({
      model: { filters: [4], convsPerBlock: 2, lstmUnits: 4, denseUnits: 0, seed: 3 },
      schedule: { type: 'cosine', minLr: 0.0001 }, learningRate: 0.002, labelSmoothing: 0.05, epochs: 2,
      optimizer: { type: 'sgd', momentum: 0.8 },
    }));
    let r = await runCli(['train', '--data', data, '--out', out, '--config', cfg, '--epochs', '1', ...LIGHT]);
    expect(r.code).toBe(0);
    const state = () => JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8'));
    expect(state().config).toMatchObject({ model: { filters: [4], lstmUnits: 4 }, learningRate: 0.002, labelSmoothing: 0.05, schedule: { type: 'cosine' }, optimizer: { type: 'sgd', momentum: 0.8 } });
    expect(state().optimizer.map((s: { name: string }) => s.name.split('/').pop())).toContain('momentum');
    const saved = await loadModel(join(out, 'best'));
    expect(saved.layers.filter((l) => l.getClassName() === 'Conv2D')).toHaveLength(3); // the stem + 1 block × 2 convs, as configured
    r = await runCli(['train', '--data', data, '--out', out, '--epochs', '2', '--resume', ...LIGHT]);
    expect(r.code).toBe(0);
    expect(state().epoch).toBe(2);
    expect(state().config).toMatchObject({ learningRate: 0.002, labelSmoothing: 0.05, schedule: { type: 'cosine', minLr: 0.0001 }, optimizer: { type: 'sgd' } });
    // the recorded command still names the recipe, though the resume did not repeat it
    expect(state().config.command).toContain(`--config ${cfg}`);
    expect(state().config.command).toContain('--epochs 2');
    // cosine over 2 epochs of 2 steps: the last epoch's rate is below the base rate
    expect(state().history[1].learningRate).toBeLessThan(0.002);
  });

  it('rejects a --config with an unknown key, naming the file', async () => {
    const cfg = join(dir, 'bad-recipe.json');
    writeFileSync(cfg, JSON.stringify({ lr: 0.1 }));
    const r = await runCli(['train', '--data', data, '--out', join(dir, 'bad'), '--config', cfg, ...LIGHT]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad-recipe\.json: unknown key "lr"/);
    for (const [recipe, message] of [
      [{ mixup: 'x' }, /bad-recipe\.json: "mixup" must be a number ≥ 0 .*got "x"/],
      [{ augment: { flip: true, erasing: 3 } }, /bad-recipe\.json: "augment": erasing must be a probability in \[0, 1\], got 3/],
      [{ optimizer: { type: 'sgd', momentum: 2 } }, /bad-recipe\.json: "optimizer": momentum must be a number in \[0, 1\), got 2/],
      [{ teacher: { weights: 'x', weight: 1.5 } }, /bad-recipe\.json: "teacher": "weight" must be a number in \(0, 1\], got 1\.5/],
      [{ teacher: { weight: 0.5 } }, /the recipe's "teacher" names no "weights"/],
    ] as const) {
      writeFileSync(cfg, JSON.stringify(recipe));
      const bad = await runCli(['train', '--data', data, '--out', join(dir, 'bad'), '--config', cfg, ...LIGHT]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(message);
    }
  });

  it('--teacher distils from a saved model, says so, records it, and --resume keeps distilling', async () => {
    const out = join(dir, 'taught');
    let r = await runCli(['train', '--data', data, '--out', out, '--from', model, '--teacher', model, '--epochs', '1', ...LIGHT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/distilling from .* \(weight 0\.5, flip TTA\): its predictions of \d+ training images are computed once and kept in .*teacher-targets\.bin/);
    expect(existsSync(join(out, 'teacher-targets.bin'))).toBe(true);
    const state = () => JSON.parse(readFileSync(join(out, 'checkpoint.json'), 'utf8'));
    expect(state().config.teacher).toEqual({ weight: 0.5, tta: 'flip', weights: model });
    r = await runCli(['train', '--data', data, '--out', out, '--epochs', '2', '--resume', ...LIGHT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/distilling from /);
    expect(state().epoch).toBe(2);
    // where the run started stays recorded (the model card's lineage follows --from)
    expect(state().config.command).toContain(`--from ${model}`);
    expect(state().config.command).toContain(`--teacher ${model}`);
    const missing = await runCli(['train', '--data', data, '--out', join(dir, 'taught-2'), '--from', model, '--teacher', join(dir, 'nope'), '--epochs', '1', ...LIGHT]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope/);
  });

  it('without validation data, saves the last epoch as best/', async () => {
    const flat = join(dir, 'flat');
    put(flat, 'happy/a.png', png(gray(1)));
    put(flat, 'sad/b.png', png(gray(2)));
    const out = join(dir, 'noval');
    const r = await runCli(['train', '--data', flat, '--out', out, '--from', model, '--epochs', '1', '--json', ...LIGHT]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.bestEpoch).toBe(0);
    expect(result.history[0].valAccuracy).toBeUndefined();
    expect(existsSync(join(out, 'best', 'model.json'))).toBe(true);
  });

  it('--freeze-conv keeps the convolution kernels of the --from model fixed', async () => {
    const out = join(dir, 'frozen');
    const r = await runCli(['train', '--data', data, '--out', out, '--from', model, '--freeze-conv', '--epochs', '1', '--lr', '0.05', ...LIGHT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/froze \d+ convolution\/batch-norm layers/);
    const before = await loadModel(model);
    const after = await loadModel(join(out, 'epoch-1'));
    const weights = (m: typeof before, cls: string) => m.layers.filter((l) => l.getClassName() === cls).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    expect(weights(after, 'Conv2D')).toEqual(weights(before, 'Conv2D'));
    expect(weights(after, 'LSTM')).not.toEqual(weights(before, 'LSTM'));
  });

  it('stops on SIGINT after finished epochs (exit 130, history kept, resume hint)', async () => {
    const out = join(dir, 'interrupted');
    const child = spawnCli(['train', '--data', data, '--out', out, '--from', model, '--epochs', '10000', ...LIGHT]);
    const done = collect(child);
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer | string) => {
        seen += String(d);
        if (/epoch 1\/10000 .*val_acc/.test(seen)) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted after \d+ finished epochs?; resume with: fer-cnn-lstm train .*--resume/);
    expect(history(out).length).toBeGreaterThanOrEqual(1);
    expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  });

  it('rejects bad options and bad data with one line', async () => {
    let r = await runCli(['train', '--data', data, '--epochs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out is required/);
    r = await runCli(['train', '--data', data, '--out', join(dir, 'x'), '--epochs', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--epochs must be an integer/);
    r = await runCli(['train', '--data', data, '--out', join(dir, 'x'), '--freeze-conv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--freeze-conv needs --from/);
    put(dir, 'bad/train/happy/a.png', png(gray(1)));
    put(dir, 'bad/train/confused/b.png', png(gray(2)));
    r = await runCli(['train', '--data', join(dir, 'bad'), '--out', join(dir, 'x'), ...LIGHT]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^fer-cnn-lstm: .*confused: unknown emotion folder/);
    const wrong = await saveTinyModel(join(dir, 'model5'), { numClasses: 5 });
    r = await runCli(['train', '--data', data, '--out', join(dir, 'x'), '--from', wrong, ...LIGHT]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${wrong}: the model outputs [null, 5], expected [null, 7] (the 7 emotions)`]);
  });
});
