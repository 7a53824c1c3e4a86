/**
 * The package's types in a TypeScript app: the packed tarball installed into a fresh app whose
 * tsconfig.json is what `tsc --init` writes (strict, `module: nodenext`, `exactOptionalPropertyTypes`,
 * `verbatimModuleSyntax`, `skipLibCheck`), then `tsc` on an ES module and a CommonJS (.cts) file
 * that use the root entry as the README does. Without `skipLibCheck`, the only errors allowed are
 * inside `@tensorflow/tfjs-layers`' own declaration files (they do not compile under
 * `strictNullChecks`; the model type, `LayersModel`, comes from there): none in this package's
 * `.d.ts` files, none in tfjs-core's (README, "TypeScript").
 *
 * Needs `npm run build` first (skipped with a message otherwise).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../browser/helpers.js';
import { installTarball, missingBuild, npmPack } from './consumer.js';

const run = promisify(execFile);
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

const skip = missingBuild();
if (skip) console.warn(`[consumer typescript] skipped: ${skip}`);

/** An ES module of the app: the README's first lines, with the types spelled out. */
const ESM = `import { classifyEmotion, predictEmotion, EMOTIONS, type Classification, type Emotion, type PredictOptions } from 'fer-cnn-lstm';

const options: PredictOptions = { tta: 'flip' };
const emotion: Emotion = await predictEmotion('face.jpg', options);
const result: Classification = await classifyEmotion('face.jpg');
const best: number = Math.max(...Object.values(result.scores));
console.log(emotion, result.emotion, result.confidence, best, EMOTIONS.length);
`;

/** A CommonJS file of the app (\`.cts\`: \`import = require\`, as \`verbatimModuleSyntax\` asks). */
const CJS = `import fer = require('fer-cnn-lstm');

async function main(): Promise<void> {
  const emotion: fer.Emotion = await fer.predictEmotion('face.jpg');
  const result: fer.Classification = await fer.classifyEmotion('face.jpg', { tta: 'auto' });
  console.log(emotion, result.confidence);
}
void main();
`;

/** Runs tsc in `cwd`; resolves with its output and exit code (it exits 2 when it finds errors). */
async function tsc(cwd: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TSC, ...args], { cwd, maxBuffer: 64 << 20 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (e) {
    const { code, stdout = '', stderr = '' } = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === 'number' ? code : 1, output: `${stdout}${stderr}` };
  }
}

/** The files that tsc reports errors in (`path(line,col): error TS…` lines). */
function errorFiles(output: string): string[] {
  return output.split('\n').flatMap((l) => /^(\S.*?)\(\d+,\d+\): error TS\d+/.exec(l)?.[1] ?? []);
}

describe.skipIf(skip !== undefined)(skip ? `consumer TypeScript app — SKIPPED: ${skip}` : 'a fresh TypeScript app that installs the packed tarball', () => {
  let tmp: string;
  let app: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fer-consumer-ts-'));
    const packed = await npmPack({ destination: tmp });
    app = join(tmp, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-ts-app', private: true, type: 'module' }, null, 2));
    // @types/node, as a Node app has it, and the @types packages of TensorFlow.js' dependencies,
    // which npm hoists to the app's node_modules/@types (where tsc includes them when "types" is unset)
    await installTarball(join(tmp, packed.filename), app, ['@types/node', '@types/long', '@types/offscreencanvas', '@types/seedrandom', '@types/emscripten']);
    writeFileSync(join(app, 'index.ts'), ESM);
    writeFileSync(join(app, 'legacy.cts'), CJS);
    const init = await tsc(app, ['--init']);
    expect(init.code, init.output).toBe(0);
  }, 120_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("typechecks with the tsconfig.json of `tsc --init` (strict, nodenext), as ESM and as CommonJS", async () => {
    const { code, output } = await tsc(app, ['-p', '.', '--noEmit']);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it("without skipLibCheck, this package's own .d.ts files have no error under strict (only tfjs-layers' do)", async () => {
    writeFileSync(join(app, 'tsconfig.strict.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false },
      files: ['index.ts', 'legacy.cts'],
    }));
    const { output } = await tsc(app, ['-p', 'tsconfig.strict.json']);
    const files = errorFiles(output);
    console.log(`[consumer typescript] strict without skipLibCheck: ${files.length} errors, in ${[...new Set(files)].length} files of @tensorflow/tfjs-layers`);
    expect(files.filter((f) => !f.includes('@tensorflow/tfjs-layers/')), output).toEqual([]);
    // every error line is a located one (no config or resolution error hiding among them)
    expect(output.split('\n').filter((l) => /error TS\d+/.test(l)).length).toBe(files.length);
  }, 120_000);
});
