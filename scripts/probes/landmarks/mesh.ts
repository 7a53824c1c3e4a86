/**
 * Landmark probe, step 1: runs MediaPipe FaceMesh (`models/facemesh.json` + `.bin` of the
 * `@vladmandic/human` devDependency) on the 48×48 gray face crops of one set, mirror-padded to
 * `pad` × 48 px and resized to 192×192, and writes the 468 landmarks (x, y in units of the original
 * 48-px crop, z likewise scaled) and the face score of every image to
 * `<out>/mesh_<set>_p<pad>.{lm.bin,score.bin,json}`.
 *
 *   npx tsx scripts/probes/landmarks/mesh.ts --set train|test|ckplus [--pad 1] [--limit N] [--stride K] [--data ../shared/datasets] [--out runs/landmark-probe]
 *
 * `--data` holds fer2013/ and ckplus48/ (exits 0 with a message where it is absent). `--stride K` keeps
 * every K-th image of the set (in folder order), then `--limit N` the first N of those: subsets for smoke
 * tests, not for measuring. See README.md.
 *
 * @packageDocumentation
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tfc from '@tensorflow/tfjs-converter';
import { tf } from '../../../src/backends/tf.js';
import { setBackend } from '../../../src/backends/select.js';
import { loadSet, parseLimit, setDir } from './common.js';

const { values } = parseArgs({ options: {
  set: { type: 'string' },
  pad: { type: 'string', default: '1' },
  limit: { type: 'string' },
  stride: { type: 'string', default: '1' },
  data: { type: 'string', default: '../shared/datasets' },
  out: { type: 'string', default: 'runs/landmark-probe' },
} });
const set = values.set ?? '';
const pad = Number(values.pad);
if (!set || !(pad >= 1)) {
  console.error('usage: npx tsx scripts/probes/landmarks/mesh.ts --set train|test|ckplus [--pad 1] [--limit N] [--stride K] [--data ../shared/datasets] [--out runs/landmark-probe]');
  process.exit(2);
}
const limit = parseLimit(values.limit);
const stride = parseLimit(values.stride, '--stride');
setDir(values.data!, set);
mkdirSync(values.out!, { recursive: true });
const out = join(values.out!, `mesh_${set}_p${pad}`);
// The package's exports map does not expose models/: find its folder from its main entry (dist/).
const MODELS = join(dirname(dirname(createRequire(import.meta.url).resolve('@vladmandic/human'))), 'models');

await setBackend('wasm');
const json = JSON.parse(readFileSync(join(MODELS, 'facemesh.json'), 'utf8')) as {
  modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
};
const bin = readFileSync(join(MODELS, 'facemesh.bin'));
const model = await tfc.loadGraphModel(tf.io.fromMemory({
  modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
  weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
}));
console.error('backend', tf.getBackend(), 'outputs', model.outputs.map((o) => `${o.name}`));
const t0 = Date.now();
const d = loadSet(set, values.data!, limit, stride);
console.error(`decoded ${d.n} in ${Date.now() - t0} ms`);
const lm = new Float32Array(d.n * 468 * 3);
const score = new Float32Array(d.n);
const B = 32;
const P = Math.round(48 * pad);
const off = Math.floor((P - 48) / 2);
const t1 = Date.now();
for (let s = 0; s < d.n; s += B) {
  const m = Math.min(B, d.n - s);
  const [mesh, flag] = tf.tidy(() => {
    let x = tf.tensor4d(d.pixels.subarray(s * 2304, (s + m) * 2304), [m, 48, 48, 1], 'float32');
    if (P > 48) x = tf.mirrorPad(x, [[0, 0], [off, P - 48 - off], [off, P - 48 - off], [0, 0]], 'symmetric');
    x = tf.div(tf.tile(x, [1, 1, 1, 3]), 255);
    x = tf.image.resizeBilinear(x as tf.Tensor4D, [192, 192]);
    const r = model.execute(x, ['Identity_2:0', 'Identity_1:0']) as tf.Tensor[];
    return r;
  });
  lm.set(mesh.dataSync() as Float32Array, s * 1404);
  score.set(flag.dataSync() as Float32Array, s);
  tf.dispose([mesh, flag]);
  if ((s / B) % 50 === 0) console.error(`${set} ${s + m}/${d.n} ${((Date.now() - t1) / (s + m)).toFixed(1)} ms/img`);
}
// landmark pixel coords are in the 192x192 (padded) frame; convert to the 48x48 crop's frame / 48 (0..1 over the original crop)
const scale = P / 192;
for (let i = 0; i < d.n * 468; i++) {
  lm[3 * i] = (lm[3 * i] * scale - off) / 48;
  lm[3 * i + 1] = (lm[3 * i + 1] * scale - off) / 48;
  lm[3 * i + 2] = (lm[3 * i + 2] * scale) / 48;
}
writeFileSync(out + '.lm.bin', Buffer.from(lm.buffer));
writeFileSync(out + '.score.bin', Buffer.from(score.buffer));
writeFileSync(out + '.json', JSON.stringify({ set, pad, n: d.n, shape: [d.n, 468, 3], labels: d.labels, names: d.names }));
console.error(`done ${set} ${d.n} images, ${((Date.now() - t1) / 1000).toFixed(1)} s; mean score ${score.reduce((a, b) => a + b, 0) / d.n}`);
