/**
 * Prints a sweep's results (the results.json that scripts/gpu/sweep.py writes) as a Markdown table,
 * best first, for docs/experiments.md. Sweeps of 0.1 (runs/gpu-sweeps/gpu-1, gpu-2) also measured the inference blur
 * at other σ (`bySigma`), shown as a column when present; 0.2 has no blur.
 *
 *   npx tsx scripts/gpu/sweep-table.ts runs/gpu-sweeps/gpu-1.results.json
 */
import { readFileSync } from 'node:fs';

interface Result {
  params: number; epochs: number; epochsRun: number; bestEpoch: number; trainSeconds: number; flipTta: number;
  publicTest: { accuracy: number; macroF1: number; recall: number[] }; bySigma?: Record<string, number>;
  error?: string;
}
const file = process.argv[2];
if (!file) throw new Error('usage: sweep-table.ts <results.json>');
const results = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Result>;
const pct = (x: number) => (x * 100).toFixed(2);
const rows = Object.entries(results).filter(([, r]) => !r.error).sort(([, a], [, b]) => b.publicTest.accuracy - a.publicTest.accuracy);
const blur = rows.some(([, r]) => r.bySigma);
console.log(`| run | params | epochs run / planned | best epoch | PublicTest${blur ? ' σ 3.4 | σ 3.0' : ''} | flip TTA | macro-F1 | Disgust / Fear recall | GPU min |`);
console.log(`| --- | ---: | ---: | ---: | ---: |${blur ? ' ---: |' : ''} ---: | ---: | ---: | ---: |`);
for (const [name, r] of rows) {
  const s3 = r.bySigma?.['3.0'] ?? r.bySigma?.['3'];
  console.log(`| ${name} | ${r.params.toLocaleString('en')} | ${r.epochsRun} / ${r.epochs} | ${r.bestEpoch} | ${pct(r.publicTest.accuracy)}% ${blur ? `| ${s3 === undefined ? '–' : `${pct(s3)}%`} ` : ''}`
    + `| ${pct(r.flipTta)}% | ${r.publicTest.macroF1.toFixed(3)} | ${pct(r.publicTest.recall[1])} / ${pct(r.publicTest.recall[2])} | ${(r.trainSeconds / 60).toFixed(1)} |`);
}
for (const [name, r] of Object.entries(results).filter(([, r]) => r.error)) console.log(`| ${name} | failed: ${r.error} |`);
