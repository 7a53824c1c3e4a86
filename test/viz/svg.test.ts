import { describe, expect, it } from 'vitest';
import { colorScale, escapeXml, formatTick, niceDomain, niceTicks, svgDocument, textColorOn } from '../../src/viz/svg.js';
import { parseXml } from './xml.js';

describe('svg helpers', () => {
  it('escapes the XML special characters', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('colour scale runs light to dark and clamps', () => {
    const lum = (hex: string) => [1, 3, 5].reduce((s, i) => s + parseInt(hex.slice(i, i + 2), 16), 0);
    const values = [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => lum(colorScale(t)));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
    expect(colorScale(-1)).toBe(colorScale(0));
    expect(colorScale(2)).toBe(colorScale(1));
    expect(colorScale(Number.NaN)).toBe(colorScale(0));
    expect(colorScale(0.5)).toMatch(/^#[0-9a-f]{6}$/);
    expect(textColorOn(1)).toBe('#ffffff');
    expect(textColorOn(0)).not.toBe('#ffffff');
  });

  it('nice ticks are round numbers inside the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.93, 2.41, 5)).toEqual([1, 1.5, 2]);
    expect(niceTicks(1, 30, 6)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceDomain(0.93, 2.41, 5)).toEqual([0.5, 2.5]);
    expect(formatTick(0.25, 0.05)).toBe('0.25');
    expect(formatTick(1.5, 0.5)).toBe('1.5');
    expect(formatTick(10, 5)).toBe('10');
    expect(formatTick(0.5, 0.25)).toBe('0.50');
  });

  it('wraps content in a well-formed SVG document', () => {
    const svg = svgDocument(100, 50, '<g></g>', 'A & B');
    const { elements } = parseXml(svg);
    expect(elements[0]).toMatchObject({ name: 'svg', attrs: { xmlns: 'http://www.w3.org/2000/svg', width: '100', height: '50' } });
  });

  it('the test XML checker rejects malformed documents', () => {
    expect(() => parseXml('<svg><g></svg>')).toThrow();
    expect(() => parseXml('<svg><text>a & b</text></svg>')).toThrow(/&/);
    expect(() => parseXml('<svg x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<svg/><svg/>')).toThrow(/root/);
    expect(() => parseXml('<svg><text>a < b</text></svg>')).toThrow();
  });
});
