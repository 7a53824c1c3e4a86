import { describe, expect, it } from 'vitest';
import { calibration } from '../../src/evaluation/calibration.js';
import { reliabilityDiagramSvg } from '../../src/viz/reliability.js';
import { parseXml } from './xml.js';

describe('reliabilityDiagramSvg', () => {
  const probs = new Float32Array([0.9, 0.1, 0.6, 0.4, 0.8, 0.2, 0.55, 0.45]);
  const cal = calibration(probs, [0, 1, 0, 0], 2, 10);

  it('draws one curve per series through the non-empty bins, a histogram and a legend', () => {
    const svg = reliabilityDiagramSvg([{ label: 'before (ECE 8.0%)', calibration: cal }, { label: 'after', calibration: cal }], { title: 'Calibration' });
    parseXml(svg);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    const nonEmpty = cal.bins.filter((b) => b.count > 0).length;
    expect(svg.match(/<circle/g)).toHaveLength(2 * nonEmpty);
    expect(svg).toContain('before (ECE 8.0%)');
    expect(svg).toContain('<title>Calibration</title>');
    expect(svg).toContain('stroke-dasharray'); // the diagonal
  });

  it('rejects empty input', () => {
    expect(() => reliabilityDiagramSvg([])).toThrow(/no series/);
  });
});
