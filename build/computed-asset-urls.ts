/**
 * For the browser builds: `new URL(<computed>, import.meta.url)` becomes
 * `new URL(<computed>, String(import.meta.url))`. Same value, but bundlers no longer take it for an
 * asset reference that they cannot resolve (webpack: "Critical dependency: the request of a
 * dependency is an expression"). Literal URLs (`new URL('./x.wasm', import.meta.url)`) are left
 * alone, so that bundlers still emit those assets. The library computes such URLs only to find its
 * own `weights/` next to an unbundled module (src/inference/weights.ts).
 */
import { readFile } from 'node:fs/promises';

/** The pattern: a first argument that is not a plain string literal, then `import.meta.url`. */
const COMPUTED = /new URL\((?!\s*['"])([^,()]*(?:\([^()]*\)[^,()]*)*),\s*import\.meta\.url\s*\)/g;

/** Rewrites the computed-URL pattern in `source` (see the file comment). */
export function hideComputedAssetUrls(source: string): string {
  return source.replace(COMPUTED, (_, first: string) => `new URL(${first}, String(import.meta.url))`);
}

interface EsbuildLike {
  onLoad(options: { filter: RegExp }, callback: (args: { path: string }) => Promise<{ contents: string; loader: 'ts' } | undefined>): void;
}

/** esbuild plugin applying {@link hideComputedAssetUrls} to the library's TypeScript sources. */
export const computedAssetUrlsEsbuild = {
  name: 'fer-computed-asset-urls',
  setup(build: EsbuildLike): void {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return { contents: hideComputedAssetUrls(source), loader: 'ts' };
    });
  },
};
