/**
 * For the Node ESM build: TensorFlow.js' packages are loaded with `require()` (through
 * `createRequire(import.meta.url)`) instead of `import`. They are CommonJS bundles (1.2–1.5 MB
 * each for tfjs-core and tfjs-layers), and Node scans a CommonJS module imported from ESM for its
 * export names (cjs-module-lexer) before running it: 0.57 s against 0.21 s to load the library,
 * the wasm backend and the shipped model in a new process (`npm run bench:start`). `require()`
 * gives the same module instance that an application's own `import '@tensorflow/tfjs-core'`
 * gets (one module cache), so backends and flags the application sets are the library's.
 *
 * Each package becomes a small ESM module with the named exports the package has at build time.
 * Used by tsup.config.ts on its Node ESM + CJS build; it leaves the CJS output (which already
 * `require()`s them) and the browser build (bundlers resolve the packages themselves) alone.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The CommonJS packages loaded this way (optional peers such as tfjs-node are left to `import()`). */
export const REQUIRED_TFJS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-converter'];

/** ESM source that `require()`s `specifier` and re-exports its names (as the package has them now). */
export function requireShim(specifier: string): string {
  const names = Object.keys(require(specifier) as object).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default' && k !== '__esModule');
  return [
    "import { createRequire } from 'node:module';",
    `const m = createRequire(import.meta.url)(${JSON.stringify(specifier)});`,
    `export const { ${names.join(', ')} } = m;`,
    'export default m;',
  ].join('\n');
}

interface EsbuildLike {
  initialOptions: { format?: string; outExtension?: Record<string, string> };
  onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string; namespace?: string; external?: boolean } | undefined): void;
  onLoad(options: { filter: RegExp; namespace: string }, callback: (args: { path: string }) => { contents: string; loader: 'js' }): void;
}

/**
 * esbuild plugin: in ESM output, {@link REQUIRED_TFJS} resolve to {@link requireShim}; in other
 * output they stay external. tsup must leave them to it (`noExternal`: its own external plugin
 * runs first).
 */
export const requireTfjsEsbuild = {
  name: 'fer-require-tfjs',
  setup(build: EsbuildLike): void {
    // tsup builds split CommonJS as ESM and converts it afterwards: tell them apart by extension
    const esm = build.initialOptions.format === 'esm' && build.initialOptions.outExtension?.['.js'] !== '.cjs';
    const filter = new RegExp(`^(${REQUIRED_TFJS.map((s) => s.replace(/[/.-]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => (esm ? { path: args.path, namespace: 'fer-require-tfjs' } : { path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'fer-require-tfjs' }, (args) => ({ contents: requireShim(args.path), loader: 'js' }));
  },
};
