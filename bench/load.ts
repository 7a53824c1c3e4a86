/**
 * Dataset loading speed: decoding the FER-2013 image folder, then reloading it from the cache.
 *
 *   npm run bench:load -- [--json] [--dir ../shared/datasets/fer2013]
 *
 * The first load uses a fresh temporary cache folder (so it decodes every image); the second
 * load of the same folder reads that cache. Prints human-readable lines and, last, one JSON
 * object: `{"firstLoadSeconds","cachedLoadSeconds","images"}`. Without the folder it says so and
 * exits with status 0 (with `--json`, its JSON line has null timings and a `skipped` reason).
 *
 * @packageDocumentation
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FerDataset } from '../src/data/fer-dataset.js';
import { emitJson, round } from './util.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    dir: { type: 'string', default: '../shared/datasets/fer2013' },
  },
});
const dir = resolve(values.dir!);
if (!existsSync(dir)) {
  const reason = `no dataset folder at ${dir} (pass --dir <folder of train/<emotion>/*.jpg>)`;
  console.log(`skipped: ${reason}`);
  if (values.json) emitJson({ firstLoadSeconds: null, cachedLoadSeconds: null, images: 0, skipped: reason });
  process.exit(0);
}

const cacheDir = mkdtempSync(join(tmpdir(), 'fer-bench-cache-'));
try {
  let t0 = performance.now();
  const first = await FerDataset.fromDirectory(dir, { cacheDir });
  const firstLoadSeconds = (performance.now() - t0) / 1000;
  if (first.summary.cached) throw new Error(`the first load of ${dir} came from the cache: the timing would be wrong`);
  console.log(`first load (decode): ${first.length} images in ${firstLoadSeconds.toFixed(2)}s, splits ${JSON.stringify(first.splitCounts())}`);
  t0 = performance.now();
  const second = await FerDataset.fromDirectory(dir, { cacheDir });
  const cachedLoadSeconds = (performance.now() - t0) / 1000;
  if (!second.summary.cached) throw new Error('the second load did not use the cache');
  if (second.length !== first.length) throw new Error(`the cached load has ${second.length} images, the first ${first.length}`);
  console.log(`cached reload: ${second.length} images in ${cachedLoadSeconds.toFixed(2)}s`);
  if (values.json) emitJson({ firstLoadSeconds: round(firstLoadSeconds, 3), cachedLoadSeconds: round(cachedLoadSeconds, 3), images: first.length });
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
