import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '../../src/emotions.js';
import { EMOTION_COLORS, timelineSvg, type TimelineSeries } from '../../src/viz/timeline.js';
import { parseXml } from './xml.js';

function series(label: string, times: number[]): TimelineSeries {
  return {
    label,
    times,
    scores: times.map((t) => Object.fromEntries(EMOTIONS.map((e, j) => [e, j === 3 ? 0.5 + 0.4 * Math.sin(t) : 0.5 / 6]))),
  };
}

describe('timelineSvg', () => {
  it('draws one panel per face with a line per emotion, y from 0 (bottom) to 1 (top)', () => {
    const svg = timelineSvg([series('face 1', [0, 0.2, 0.4, 0.6]), series('face 2 <b>', [0.2, 0.4])], { title: 'clip & co', width: 600, panelHeight: 200, duration: 1 });
    const { elements, texts } = parseXml(svg);
    const panels = elements.filter((e) => e.name === 'g' && e.attrs.class === 'panel');
    expect(panels.map((p) => p.attrs['data-label'])).toEqual(['face 1', 'face 2 <b>']);
    const lines = elements.filter((e) => e.name === 'polyline');
    expect(lines.map((l) => l.attrs['data-series'])).toEqual([...EMOTIONS.map((e) => `p1-${e}`), ...EMOTIONS.map((e) => `p2-${e}`)]);
    expect(lines[3].attrs.stroke).toBe(EMOTION_COLORS.Happy);
    const happy = lines[3].attrs.points.split(' ').map((p) => p.split(',').map(Number));
    expect(happy).toHaveLength(4);
    // time runs left to right; a higher score is drawn higher up
    expect(happy[1][0]).toBeGreaterThan(happy[0][0]);
    expect(happy[1][1]).toBeLessThan(happy[0][1]);
    expect(texts).toEqual(expect.arrayContaining(['clip & co', 'time (s)', 'face 1', ...EMOTIONS]));
    expect(texts).toContain('0.8'); // the time axis goes on to the duration (the last point is at 0.6 s)
  });

  it('breaks a line where the face was out of view, draws a lone point as a dot; rejects bad input', () => {
    const { elements } = parseXml(timelineSvg([series('face 1', [0, 0.2, 0.4, 3, 3.2, 6])]));
    const happy = elements.filter((e) => e.attrs['data-series'] === 'p1-Happy');
    expect(happy.map((e) => e.name)).toEqual(['polyline', 'polyline', 'circle']);
    expect(() => timelineSvg([])).toThrow(/no series/);
    expect(() => timelineSvg([{ label: 'x', times: [0, 1], scores: [] }])).toThrow(/2 times but 0/);
    expect(() => timelineSvg([series('a', [0])], { width: 10 })).toThrow(/width/);
  });
});
