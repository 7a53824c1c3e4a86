/**
 * Stubs of Node's built-in modules for browser builds of this library: every function of the
 * module is exported and throws a clear error when called. The library reaches Node-only code
 * (file paths, dataset folders, decode caches, checkpoints, worker threads) only behind Node
 * checks, so in a browser the stubs are bundled but never called, and bundlers see no `node:`
 * import (no "externalized for browser compatibility" warnings, no missing named exports).
 *
 * Used by tsup.config.ts (the `*.browser.js` build, as an esbuild plugin) and by the browser
 * example's vite.config.ts (which builds the library from its sources; an application that
 * installs the package gets the browser build and needs no plugin).
 */
import { builtinModules, createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const builtins = new Set(builtinModules);

/** The built-in's name without `node:` when `specifier` names a Node built-in, else undefined. */
export function nodeBuiltin(specifier: string): string | undefined {
  const name = specifier.replace(/^node:/, '');
  return specifier.startsWith('node:') || builtins.has(name) ? name : undefined;
}

/** ESM source of the stub of built-in `name` (`fs`, `fs/promises`, …): its named exports and a default. */
export function nodeBuiltinStub(name: string): string {
  const names = Object.keys(require(`node:${name}`) as object).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  return [
    'function unavailable(name) {',
    `  throw new Error('node:${name}.' + name + ' is not available in the browser build of fer-cnn-lstm (it needs Node: file paths, dataset folders, caches, worker threads)');`,
    '}',
    // functions (not arrows): `new Worker()` must reach the error too
    ...names.map((k) => `export function ${k}() { return unavailable(${JSON.stringify(k)}); }`),
    `export default { ${names.join(', ')} };`,
  ].join('\n');
}

interface EsbuildLike {
  onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string; namespace: string } | undefined): void;
  onLoad(options: { filter: RegExp; namespace: string }, callback: (args: { path: string }) => { contents: string; loader: 'js' }): void;
}

/** esbuild plugin: Node built-ins resolve to {@link nodeBuiltinStub}. */
export const nodeBuiltinStubsEsbuild = {
  name: 'fer-node-builtin-stubs',
  setup(build: EsbuildLike): void {
    build.onResolve({ filter: /^[a-z_/:]+$/ }, (args) => {
      const name = nodeBuiltin(args.path);
      return name === undefined ? undefined : { path: name, namespace: 'node-builtin-stub' };
    });
    build.onLoad({ filter: /.*/, namespace: 'node-builtin-stub' }, (args) => ({ contents: nodeBuiltinStub(args.path), loader: 'js' }));
  },
};

const VIRTUAL = '\0fer-node-builtin-stub:';

/**
 * Vite / Rollup plugin: Node built-ins imported by modules under `root` (the library's sources)
 * resolve to {@link nodeBuiltinStub}; other importers (dependencies) are left to Vite. Each
 * importer gets its own copy of a stub, so that Rollup sees no module imported both statically
 * and dynamically.
 */
export function nodeBuiltinStubsVite(root: string) {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return {
    name: 'fer-node-builtin-stubs',
    enforce: 'pre' as const,
    resolveId(id: string, importer?: string): string | undefined {
      const name = nodeBuiltin(id);
      if (name === undefined || !importer?.startsWith(prefix)) return undefined;
      return `${VIRTUAL}${name}?from=${importer.slice(prefix.length).replace(/[^\w./-]/g, '_')}`;
    },
    load(id: string): string | undefined {
      return id.startsWith(VIRTUAL) ? nodeBuiltinStub(id.slice(VIRTUAL.length).replace(/\?.*$/, '')) : undefined;
    },
  };
}
