/**
 * Which Gaussian blur turns the sharp PublicTest images into images like the Training copy
 * (docs/experiments.md §1)? Compares the mean power spectrum (1-D DFT along rows and columns of
 * each standardized image) of ~300 Training images with that of ~300 PublicTest images blurred
 * with σ = 0 … 4, and prints the RMS log-ratio per σ (0 = identical spectra) and the per-frequency
 * ratio. Plain TypeScript, no backend.
 *
 *   npx tsx scripts/fit-training-blur.ts [--data ../shared/datasets/fer2013] [--sigmas 0,2,2.5,3,3.2,3.4,3.6,4]
 */
import { parseArgs } from 'node:util';
import { FerDataset } from '../src/data/fer-dataset.js';
import { gaussianBlurPixels } from '../src/data/blur.js';

const { values } = parseArgs({ options: {
  data: { type: 'string', default: '../shared/datasets/fer2013' },
  sigmas: { type: 'string', default: '0,2,2.5,3,3.2,3.4,3.6,4' },
  images: { type: 'string', default: '300' },
} });

/** Mean power per frequency 0…size/2 of the standardized images (rows and columns). */
function spectrum(pixels: Uint8Array, size: number): Float64Array {
  const half = size / 2;
  const P = new Float64Array(half + 1);
  const cos = Float64Array.from({ length: size * size }, (_, i) => Math.cos((2 * Math.PI * Math.floor(i / size) * (i % size)) / size));
  const sin = Float64Array.from({ length: size * size }, (_, i) => Math.sin((2 * Math.PI * Math.floor(i / size) * (i % size)) / size));
  const n = pixels.length / (size * size);
  for (let img = 0; img < n; img++) {
    const g = pixels.subarray(img * size * size, (img + 1) * size * size);
    let mean = 0;
    for (const v of g) mean += v;
    mean /= g.length;
    let sd = 0;
    for (const v of g) sd += (v - mean) ** 2;
    sd = Math.sqrt(sd / g.length) + 1e-6;
    for (const transpose of [false, true]) {
      for (let line = 0; line < size; line++) {
        for (let k = 0; k <= half; k++) {
          let re = 0;
          let im = 0;
          for (let x = 0; x < size; x++) {
            const v = (g[transpose ? x * size + line : line * size + x] - mean) / sd;
            re += v * cos[k * size + x];
            im -= v * sin[k * size + x];
          }
          P[k] += (re * re + im * im) / (size * size * 2 * n);
        }
      }
    }
  }
  return P;
}

const all = await FerDataset.fromDirectory(values.data!);
const pick = (d: FerDataset) => {
  const m = Math.min(Number(values.images), d.length);
  return d.subset(Array.from({ length: m }, (_, i) => Math.floor((i * d.length) / m))).images;
};
const size = all.size;
const train = spectrum(pick(all.filter('Training')), size);
const test = pick(all.filter('PublicTest'));
for (const sigma of values.sigmas!.split(',').map(Number)) {
  const P = spectrum(gaussianBlurPixels(test, size, sigma), size);
  let d = 0;
  for (let k = 1; k < P.length; k++) d += Math.log(P[k] / train[k]) ** 2;
  const ratio = Array.from(P.subarray(1, 9), (v, k) => +(v / train[k + 1]).toFixed(2));
  console.log(JSON.stringify({ sigma, rmsLogRatio: +Math.sqrt(d / (P.length - 1)).toFixed(3), ratioFreq1to8: ratio }));
}
