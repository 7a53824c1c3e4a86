/**
 * Vite config of the browser example: `npm run example:browser` (dev server) or
 * `npm run example:browser:build` (static site in `examples/browser/dist/`).
 *
 * - `fer-cnn-lstm` (and `fer-cnn-lstm/video`, …) resolve to the library's sources
 *   (`src/index.ts`, `src/video.ts`), so the example always runs the code of this checkout
 *   without `npm run build` first. The sources import Node built-ins on their Node-only paths
 *   (dataset folders, caches, worker threads); `nodeBuiltinStubsVite()` replaces those with the
 *   stubs that the package's browser build carries. An application that installed the package
 *   needs neither the alias nor the plugin: bundlers pick its browser build (the `browser` export
 *   condition), which has no Node imports (test/consumer/vite.test.ts builds such an app).
 * - The model is embedded: `model.json` and its weight files are copied to `weights/` in the
 *   build (and served from there by the dev server) — nothing is fetched from a
 *   CDN. Which weights: `$FER_EXAMPLE_WEIGHTS` (a folder with `model.json`) when set, else the
 *   package's `weights/float16/` (half the download of float32), else `weights/`.
 * - The face detector for the webcam (BlazeFace, 0.6 MB: `blazeface.json` + `blazeface.bin` from
 *   the package's `weights/face-detector/`) is copied to `detector/` the same way;
 *   `$FER_EXAMPLE_DETECTOR` (a `blazeface.json`) overrides, `none` leaves it out (the webcam then
 *   says that it needs the detector).
 * - The wasm binaries are imported with `?url` in `main.ts`, and the sample photos
 *   (`examples/images/astronaut.png`, `astronaut-face.png`) are imported in `samples.ts`, so Vite
 *   emits them as assets (the other samples are drawn from them in the page).
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { nodeBuiltinStubsVite } from '../../build/node-builtin-stubs.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

/** The weights folder the example embeds (see the file comment), or undefined when there is none. */
export function exampleWeightsDir(): string | undefined {
  const candidates = process.env.FER_EXAMPLE_WEIGHTS
    ? [resolve(process.env.FER_EXAMPLE_WEIGHTS)]
    : [join(repo, 'weights', 'float16'), join(repo, 'weights')];
  return candidates.find((d) => existsSync(join(d, 'model.json')));
}

/** The face detector's `blazeface.json` the example embeds (see the file comment), or undefined. */
export function exampleDetectorJson(): string | undefined {
  const wanted = process.env.FER_EXAMPLE_DETECTOR;
  if (wanted === 'none') return undefined;
  const path = wanted ? resolve(wanted) : join(repo, 'weights', 'face-detector', 'blazeface.json');
  return existsSync(path) ? path : undefined;
}

/** A tfjs model JSON (`jsonPath`) and the weight files it lists, named relative to its folder. */
function weightFiles(jsonPath: string): { name: string; path: string }[] {
  const dir = dirname(jsonPath);
  let json: { weightsManifest?: { paths: string[] }[] };
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new Error(`${jsonPath}: not a tfjs model.json (${(e as Error).message})`);
  }
  const files = [{ name: basename(jsonPath), path: jsonPath }];
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths) {
      const path = join(dir, p);
      if (!existsSync(path)) throw new Error(`${jsonPath} lists ${p}, which is missing`);
      files.push({ name: p, path });
    }
  }
  return files;
}

/** Copies the model into the build as `weights/…` (and the detector as `detector/…`) and serves them from the dev server. */
function embedWeights(): Plugin {
  const dir = exampleWeightsDir();
  const detector = exampleDetectorJson();
  const missing = () => new Error(
    'fer-cnn-lstm browser example: no weights found (looked for weights/float16/model.json and weights/model.json); '
    + 'set FER_EXAMPLE_WEIGHTS to a folder holding model.json');
  const assets = (): { name: string; path: string }[] => [
    ...weightFiles(join(dir!, 'model.json')).map((f) => ({ ...f, name: `weights/${f.name}` })),
    ...(detector ? weightFiles(detector).map((f) => ({ ...f, name: `detector/${f.name}` })) : []),
  ];
  return {
    name: 'fer-cnn-lstm-embed-weights',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = decodeURIComponent((req.url ?? '').split('?')[0]).replace(/^\/+/, '');
        if (!/^(weights|detector)\//.test(name)) return next();
        if (!dir) return next(missing());
        const file = assets().find((f) => f.name === name);
        if (!file) return next();
        res.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.end(readFileSync(file.path));
      });
    },
    buildStart() {
      if (!dir) throw missing();
    },
    generateBundle() {
      for (const f of assets()) this.emitFile({ type: 'asset', fileName: f.name, source: readFileSync(f.path) });
    },
  };
}

export default defineConfig({
  root: here,
  // relative asset URLs: the built site works from any folder of any static server
  base: './',
  resolve: {
    alias: [
      { find: /^fer-cnn-lstm$/, replacement: join(repo, 'src', 'index.ts') },
      { find: /^fer-cnn-lstm\/(\w+)$/, replacement: join(repo, 'src', '$1.ts') },
    ],
  },
  define: {
    __WEIGHTS_NAME__: JSON.stringify(exampleWeightsDir()?.replace(repo + '/', '') ?? 'none'),
    __HAS_DETECTOR__: JSON.stringify(exampleDetectorJson() !== undefined),
  },
  plugins: [nodeBuiltinStubsVite(join(repo, 'src')), embedWeights()],
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs-core + layers + the wasm backend glue make one ~0.7 MB chunk: expected here
    chunkSizeWarningLimit: 4096,
  },
});
