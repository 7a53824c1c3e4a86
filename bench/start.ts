/**
 * Start-up time: how long a new process takes to answer one image with the package's CLI (the
 * built `bin`, `fer-cnn-lstm predict examples/images/astronaut-face.png`), and to load the
 * library through each of its Node entries (`import('fer-cnn-lstm')`, ESM, and
 * `require('fer-cnn-lstm')`, CommonJS) with the wasm backend and the shipped model ready.
 * A folder run pays the library's start once per worker thread (`bench:files`). For scale, it also
 * times loading tfjs-core and tfjs-layers alone both ways: what the Node ESM build's `require()`
 * of TensorFlow.js (build/require-tfjs.ts) saves, since Node scans a CommonJS package imported
 * from ESM for its export names first.
 *
 *   npm run bench:start -- [--json] [--runs 5]
 *
 * Each measurement is a fresh `node` process, the kinds alternate, and the median of `--runs`
 * is printed (this machine's speed drifts by 10–20% between runs). Last, one JSON object.
 *
 * @packageDocumentation
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { emitJson, median, round } from './util.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be an integer ≥ 1, got ${values.runs}`);
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const bin = join(root, pkg.bin['fer-cnn-lstm']);
const image = join(root, 'examples/images/astronaut-face.png');
for (const f of [bin, join(root, 'dist/index.js'), join(root, 'dist/index.cjs')]) {
  if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm run bench:start\` does)`);
}

/** Loads the library, selects wasm, loads the shipped model; prints the milliseconds that took. */
const load = (entry: 'import' | 'require') => {
  const lib = JSON.stringify(join(root, entry === 'import' ? 'dist/index.js' : 'dist/index.cjs'));
  const get = entry === 'import' ? `await import(${lib})` : `require(${lib})`;
  const body = `const t = performance.now(); const lib = ${get}; await lib.setBackend('wasm'); await lib.loadEmotionModel(); console.log(performance.now() - t);`;
  return entry === 'import' ? ['--input-type=module', '-e', body] : ['-e', `(async () => { ${body} })()`];
};

/** Loads tfjs-core and tfjs-layers from this repository's node_modules; prints the milliseconds. */
const tfjs = (entry: 'import' | 'require') => {
  const specs = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'].map((s) => JSON.stringify(s));
  const req = `require('node:module').createRequire(${JSON.stringify(join(root, 'package.json'))})`;
  if (entry === 'require') return ['-e', `const r = ${req}; const t = performance.now(); ${specs.map((s) => `r(${s});`).join(' ')} console.log(performance.now() - t);`];
  const body = `import { createRequire } from 'node:module'; const r = createRequire(${JSON.stringify(join(root, 'package.json'))});
    const paths = [${specs.join(', ')}].map((s) => 'file://' + r.resolve(s)); const t = performance.now();
    for (const p of paths) await import(p); console.log(performance.now() - t);`;
  return ['--input-type=module', '-e', body];
};

/** Runs `node <args>` and reads the milliseconds it printed. */
const reported = (args: string[]) => Number(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim());

const kinds = {
  /** The whole CLI process, wall time (spawn to exit). */
  cli: () => {
    const t = performance.now();
    execFileSync(process.execPath, [bin, 'predict', image], { stdio: 'pipe' });
    return performance.now() - t;
  },
  import: () => reported(load('import')),
  require: () => reported(load('require')),
  tfjsImport: () => reported(tfjs('import')),
  tfjsRequire: () => reported(tfjs('require')),
};
const samples: Record<keyof typeof kinds, number[]> = { cli: [], import: [], require: [], tfjsImport: [], tfjsRequire: [] };
for (let r = 0; r < runs; r++) for (const k of Object.keys(kinds) as (keyof typeof kinds)[]) samples[k].push(kinds[k]());

const result = {
  cliSeconds: round(median(samples.cli) / 1000, 2),
  importSeconds: round(median(samples.import) / 1000, 2),
  requireSeconds: round(median(samples.require) / 1000, 2),
  tfjsImportSeconds: round(median(samples.tfjsImport) / 1000, 2),
  tfjsRequireSeconds: round(median(samples.tfjsRequire) / 1000, 2),
  runs,
};
console.log(`\`fer-cnn-lstm predict <one image>\` (${pkg.bin['fer-cnn-lstm']}), whole process: ${result.cliSeconds} s (median of ${runs})`);
console.log(`library + wasm backend + shipped model, in a new process: import() (ESM) ${result.importSeconds} s, require() (CommonJS) ${result.requireSeconds} s`);
console.log(`tfjs-core + tfjs-layers alone: import() from ESM ${result.tfjsImportSeconds} s, require() ${result.tfjsRequireSeconds} s`);
if (values.json) emitJson(result);
