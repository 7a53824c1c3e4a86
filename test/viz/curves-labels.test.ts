/**
 * Issue 13.9: training-curve x ticks are integer epochs ("5", never "5.0"), and the "best"
 * label does not sit on the curves (it is above the plot frame, clear of the panel title).
 */
import { describe, expect, it } from 'vitest';
import { trainingCurvesSvg } from '../../src/viz/curves.js';
import { textWidth } from '../../src/viz/svg.js';

function history(n: number) {
  return Array.from({ length: n }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), accuracy: 0.3 + i / 50, valLoss: 1.2 / (i + 1), valAccuracy: 0.28 + i / 60 }));
}

/** The x-axis tick labels (centred under the axis) of an SVG. */
function xTicks(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*text-anchor="middle"[^>]*class="tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('training curves labels', () => {
  it('labels whole epochs as integers at every width (a narrow plot used to print "5.0")', () => {
    for (const width of [300, 420, 900]) {
      for (const n of [2, 3, 10, 11, 23, 40]) {
        const ticks = xTicks(trainingCurvesSvg(history(n), { width }));
        expect(ticks.length, `${n} epochs, width ${width}`).toBeGreaterThan(0);
        for (const t of ticks) expect(t, `${n} epochs, width ${width}`).toMatch(/^\d+$/);
        for (const t of ticks) expect(Number(t)).toBeGreaterThanOrEqual(1);
        for (const t of ticks) expect(Number(t)).toBeLessThanOrEqual(n);
      }
    }
  });

  it('puts "best: N" above the accuracy panel\'s frame (not over the curves) and clear of its title', () => {
    const svg = trainingCurvesSvg(history(20));
    const panel = svg.slice(svg.indexOf('data-panel="accuracy"'));
    const frame = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"/.exec(panel)!;
    const frameTop = Number(frame[2]);
    const label = /<text x="([\d.]+)" y="([\d.]+)"[^>]*class="best-label"[^>]*>best: (\d+)<\/text>/.exec(panel)!;
    expect(label, 'best label').not.toBeNull();
    expect(label[3]).toBe('20');
    expect(Number(label[2])).toBeLessThan(frameTop); // baseline above the frame: no curve there
    const title = /<text x="([\d.]+)" y="([\d.]+)"[^>]*font-weight="bold"[^>]*>Accuracy<\/text>/.exec(panel)!;
    expect(Number(label[1])).toBeGreaterThanOrEqual(Number(title[1]) + textWidth('Accuracy', 14));
    expect(Number(label[1]) + textWidth('best: 20', 11)).toBeLessThanOrEqual(Number(frame[1]) + Number(frame[3]) + 0.5);
  });
});
