import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts', worker: 'src/training/worker.ts', 'batch-worker': 'src/batch/worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
  shims: true,
  target: 'node18',
  platform: 'neutral',
  external: [/^@tensorflow\//, 'jpeg-js', /^node:/],
  // ESM-only and small: bundled so that the CJS build works on Node 18 too
  noExternal: ['fast-png', 'fflate', 'iobuffer'],
  // keep `node:` specifiers, so that browser bundlers can tell Node built-ins apart
  removeNodeProtocol: false,
});
