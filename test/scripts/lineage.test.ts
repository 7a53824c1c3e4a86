/**
 * The model card's lineage (scripts/lineage.ts): traced back through fake run folders holding only
 * the records it reads (checkpoint.json, the averages' model.json).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineageMarkdown, lineageRuns, traceLineage } from '../../scripts/lineage.js';

const root = mkdtempSync(join(tmpdir(), 'fer-lineage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const p = (...parts: string[]) => join(root, ...parts);

function run(name: string, epochs: number, best: number, command: string): void {
  mkdirSync(p(name, 'best'), { recursive: true });
  writeFileSync(p(name, 'checkpoint.json'), JSON.stringify({
    epoch: epochs, bestEpoch: best, history: Array.from({ length: epochs }, () => ({ seconds: 360 })), config: { command },
  }));
  writeFileSync(p(name, 'best', 'model.json'), JSON.stringify({ userDefinedMetadata: { epoch: best } }));
}
function average(dir: string, of: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ userDefinedMetadata: { averageOf: of } }));
}

describe('lineage', () => {
  it('follows averages and --from back to the first run, each run once, and sums the runs', async () => {
    run('a', 10, 9, 'fer-cnn-lstm train --out a');
    run('b', 5, 4, `fer-cnn-lstm train --out b --from ${p('a', 'best')} --config b.json`);
    average(p('b', 'soup'), [p('a', 'best'), p('b', 'snap', 'epoch-5')]);
    run('c', 3, 2, `fer-cnn-lstm train --out c --from ${p('b', 'soup')}`);
    average(p('c', 'soup'), [p('b', 'soup'), p('c', 'best')]);

    const tree = await traceLineage(p('c', 'soup'));
    expect(tree.kind).toBe('average');
    const md = lineageMarkdown(tree);
    expect(md).toContain(`\`${p('c', 'best')}\`: epoch 2 of \`${p('c')}\` (3 epochs trained, 0.30 h), \`fer-cnn-lstm train --out c --from ${p('b', 'soup')}\`, starting from`);
    expect(md).toContain(`\`${p('b', 'snap', 'epoch-5')}\`: epoch 5 of \`${p('b')}\` (5 epochs trained, 0.50 h)`);
    expect(md).toContain(`\`${p('a', 'best')}\`: epoch 9 of \`${p('a')}\` (that run is above)`);
    expect(md).toContain(`\`${p('b', 'soup')}\` (that average is above)`);
    expect(md.split('\n')[0]).toMatch(/the weight average of 2 models, `fer-cnn-lstm average --out .*c\/soup .*b\/soup .*c\/best`/);
    expect([...lineageRuns(tree)]).toEqual([
      [p('a'), { epochs: 10, seconds: 3600 }], [p('b'), { epochs: 5, seconds: 1800 }], [p('c'), { epochs: 3, seconds: 1080 }],
    ]);
  });

  it('follows a deepened model back to the model it deepens', async () => {
    run('e', 4, 3, 'fer-cnn-lstm train --out e');
    mkdirSync(p('f', 'start'), { recursive: true });
    writeFileSync(p('f', 'start', 'model.json'), JSON.stringify({ userDefinedMetadata: { deepenedFrom: p('e', 'best'), convsPerBlock: [2, 3, 3], command: 'npx tsx scripts/deepen.ts …' } }));
    run('f', 2, 2, `fer-cnn-lstm train --out f --from ${p('f', 'start')}`);

    const tree = await traceLineage(p('f', 'best'));
    const md = lineageMarkdown(tree);
    expect(md).toContain(`starting from\n  - \`${p('f', 'start')}\`: deepened to 2/3/3 convolutions per block, the new convolutions starting as the identity, \`fer-cnn-lstm deepen …\`, from\n    - \`${p('e', 'best')}\`: epoch 3 of \`${p('e')}\``);
    expect([...lineageRuns(tree)].map(([dir, r]) => [dir, r.epochs])).toEqual([[p('f'), 2], [p('e'), 4]]);
  });

  it('says so where a folder has no record', async () => {
    mkdirSync(p('loose'), { recursive: true });
    const tree = await traceLineage(p('loose'));
    expect(tree).toEqual({ kind: 'unknown', dir: p('loose') });
    expect(lineageMarkdown(tree)).toBe(`- \`${p('loose')}\` (no record of how it was made)`);
    run('d', 2, 1, `fer-cnn-lstm train --out d --from ${p('gone', 'best')}`);
    expect(lineageMarkdown(await traceLineage(p('d', 'best')))).toContain(`starting from\n  - \`${p('gone', 'best')}\` (no record of how it was made)`);
  });
});
