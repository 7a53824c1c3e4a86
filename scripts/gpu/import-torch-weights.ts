/**
 * Imports a model trained by scripts/gpu/train_torch.py: builds `buildCnnLstm(export.model)` (0.2's
 * options: stem, optional residual shortcuts, unpooled last block, LSTM gates; see scripts/gpu/torch-export.ts
 * for exports of the 0.1 script), sets every layer's weights from the export (checking names and shapes),
 * checks that it gives PyTorch's probabilities on the exported PublicTest images, and writes a run folder
 * that scripts/release-weights.ts reads: `<out>/best/` (the model) and `<out>/checkpoint.json` (history,
 * config with the model options the import built, and the command that trained it).
 *
 *   npx tsx scripts/gpu/import-torch-weights.ts --weights <dir>/weights.json --result <dir>/result.json \
 *     --out runs/<name> --command "<the command that ran train_torch.py>" --trained-on "<machine, run name>"
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../../src/backends/select.js';
import { saveModel } from '../../src/model/io.js';
import type { CheckpointState, EpochLog } from '../../src/training/checkpoint.js';
import { checkAgainstTorch, modelFromTorchExport, optionsFromTorchExport, type TorchExport } from './torch-export.js';

const { values } = parseArgs({ options: {
  weights: { type: 'string' }, result: { type: 'string' }, out: { type: 'string' }, command: { type: 'string', default: '' }, 'trained-on': { type: 'string', default: '' },
  tolerance: { type: 'string', default: '1e-4' },
} });
if (!values.weights || !values.out) throw new Error('usage: --weights <weights.json> [--result <result.json>] --out <run dir> [--command "..."]');
await selectBackend('wasm');
const exp = JSON.parse(await readFile(values.weights, 'utf8')) as TorchExport;

const options = optionsFromTorchExport(exp);
const model = modelFromTorchExport(exp);
const weighted = model.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name);
console.log(`buildCnnLstm(${JSON.stringify(options)}): ${model.countParams().toLocaleString('en')} parameters; weights set for ${weighted.join(', ')}`);
const worst = checkAgainstTorch(model, exp);
console.log(`probabilities on ${exp.check.probabilities.length} check images: within ${worst.toExponential(2)} of PyTorch's`);
if (!(worst <= Number(values.tolerance))) throw new Error(`the imported model differs from PyTorch's by ${worst} (> ${values.tolerance})`);

await saveModel(model, join(values.out, 'best'));
const result = values.result ? JSON.parse(await readFile(values.result, 'utf8')) as { history: EpochLog[]; epochsRun: number } : undefined;
const history = result?.history ?? [];
const state: CheckpointState = {
  version: 1,
  epoch: result?.epochsRun ?? exp.bestEpoch,
  folder: 'best',
  history,
  bestEpoch: exp.bestEpoch,
  bestValAccuracy: exp.publicTest,
  lr: { value: history.at(-1)?.learningRate ?? 0, plateauBest: 0, plateauWait: 0 },
  sinceBest: 0,
  optimizer: [],
  // config.model: the options the model was built with (release-weights.ts rebuilds from them), not a 0.1 export's
  config: { ...exp.config, model: options, trainer: 'pytorch', command: values.command, trainedOn: values['trained-on'], importCheck: { images: exp.check.probabilities.length, maxDifference: worst } },
};
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'checkpoint.json'), JSON.stringify(state, null, 2) + '\n');
console.log(`wrote ${values.out}/best and ${values.out}/checkpoint.json (best epoch ${exp.bestEpoch}, PublicTest ${(exp.publicTest * 100).toFixed(2)}% in PyTorch)`);
