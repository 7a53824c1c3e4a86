/**
 * Modules of this library that only make sense in Node and that the browser build replaces with a
 * browser twin next to them (`x.ts` → `x.browser.ts`), so that the browser bundles hold no trace
 * of them: `src/data/sharp.ts` (the optional `sharp` package, a native Node addon).
 *
 * Used by tsup.config.ts for the `*.browser.js` build, as an esbuild plugin.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Relative import specifiers (as written in the sources) that have a `.browser.ts` twin. */
export const NODE_ONLY_MODULES = ['./sharp.js'];

interface EsbuildLike {
  onResolve(options: { filter: RegExp }, callback: (args: { path: string; resolveDir: string }) => { path: string } | undefined): void;
}

/** esbuild plugin: {@link NODE_ONLY_MODULES} resolve to their `.browser.ts` twins. */
export const nodeOnlyModulesEsbuild = {
  name: 'fer-node-only-modules',
  setup(build: EsbuildLike): void {
    build.onResolve({ filter: /^\.\/sharp\.js$/ }, (args) => {
      if (!NODE_ONLY_MODULES.includes(args.path)) return undefined;
      const twin = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(twin) ? { path: twin } : undefined;
    });
  },
};
