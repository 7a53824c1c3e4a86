import { rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import { computedAssetUrlsEsbuild } from './build/computed-asset-urls.js';
import { nodeBuiltinStubsEsbuild } from './build/node-builtin-stubs.js';
import { nodeOnlyModulesEsbuild } from './build/node-only-modules.js';
import { REQUIRED_TFJS, requireTfjsEsbuild } from './build/require-tfjs.js';

/**
 * The library's entry points (package.json "exports"): the root (what an application needs) and
 * the subpaths of the 0.2 API. Each is built as ESM + CJS + .d.ts for Node, and once more as a
 * browser build (`<name>.browser.js`, the "browser" export condition) without Node built-ins.
 * Add an entry here (or to NODE_ONLY_ENTRIES), in package.json "exports" and in typedoc.json
 * "entryPoints" together (test/index.test.ts checks that they agree).
 */
export const LIBRARY_ENTRIES: Record<string, string> = {
  index: 'src/index.ts',
  model: 'src/model.ts',
  training: 'src/training.ts',
  detection: 'src/detection.ts',
  video: 'src/video.ts',
  viz: 'src/viz.ts',
};

/**
 * Node-only entry points (folders on every core, Redis queues): ESM + CJS + .d.ts, no browser
 * build — their "exports" have no `browser` condition.
 */
export const NODE_ONLY_ENTRIES: Record<string, string> = {
  batch: 'src/batch.ts',
  queue: 'src/queue.ts',
};

const shared: Options = {
  splitting: true,
  // Source maps are not built: the bundles are unminified ESM/CJS, readable as they are; the maps
  // were 1.3 MB of a 6.1 MB package (README, "Packaging").
  sourcemap: false,
  external: [/^@tensorflow\//, 'jpeg-js'],
  // ESM-only and small: bundled so that the CJS build works on Node 18 too (licenses: THIRD_PARTY_NOTICES)
  noExternal: ['fast-png', 'fflate', 'iobuffer'],
};

/** The Node builds: ESM and CJS for Node 18+, `node:` built-ins external. */
const node: Options = {
  ...shared,
  clean: false,
  shims: true,
  target: 'node18',
  platform: 'neutral',
  external: [...shared.external!, /^node:/],
  // keep `node:` specifiers, so that browser bundlers can tell Node built-ins apart
  removeNodeProtocol: false,
  // the ESM output require()s TensorFlow.js (build/require-tfjs.ts: 0.3 s less per start)
  noExternal: [...(shared.noExternal as string[]), ...REQUIRED_TFJS],
  esbuildPlugins: [requireTfjsEsbuild],
};

export default defineConfig((cli) => {
  // one clean for all builds (they write to dist/ in parallel)
  if (!cli.watch) rmSync('dist', { recursive: true, force: true });
  return [
    {
      ...node,
      entry: { ...LIBRARY_ENTRIES, ...NODE_ONLY_ENTRIES },
      format: ['esm', 'cjs'],
      dts: { entry: { ...LIBRARY_ENTRIES, ...NODE_ONLY_ENTRIES } },
    },
    {
      // Programs, not modules: the CLI and the worker threads' entries need one format only.
      // CommonJS, which require()s TensorFlow.js' CommonJS bundles as they are (the ESM build needs
      // build/require-tfjs.ts for that) and loads faster than ESM (`npm run bench:start`).
      ...node,
      entry: { cli: 'src/cli/main.ts', worker: 'src/training/worker.ts', 'batch-worker': 'src/batch/worker.ts' },
      format: ['cjs'],
      dts: false,
    },
    {
      ...shared,
      entry: Object.fromEntries(Object.entries(LIBRARY_ENTRIES).map(([name, path]) => [`${name}.browser`, path])),
      format: ['esm'],
      dts: false,
      clean: false,
      target: 'es2020',
      platform: 'browser',
      // tsup's own handling of `node:` would mark them external before the stubs see them
      removeNodeProtocol: false,
      // Node built-ins become stubs that throw when called (build/node-builtin-stubs.ts); computed
      // `new URL(x, import.meta.url)` no longer looks like an asset to bundlers (build/computed-asset-urls.ts)
      // (and src/data/sharp.ts, the optional native `sharp`, becomes its browser twin: build/node-only-modules.ts)
      esbuildPlugins: [nodeBuiltinStubsEsbuild, computedAssetUrlsEsbuild, nodeOnlyModulesEsbuild],
      esbuildOptions(options) {
        options.chunkNames = 'browser-[hash]';
      },
    },
  ];
});
