import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { predictionGridSvg, type PredictionSample } from '../../src/viz/samples.js';
import { parseXml } from './xml.js';

function sample(i: number, label: string | undefined, predicted: string, size = 8): PredictionSample {
  const pixels = new Uint8Array(size * size).map((_, j) => (j * 7 + i * 31) & 255);
  return { pixels, size, label, predicted, confidence: 0.5 + i / 100 };
}

describe('predictionGridSvg', () => {
  it('embeds one PNG per sample that decodes to its pixels', () => {
    const samples = Array.from({ length: 10 }, (_, i) => sample(i, i % 3 ? 'Happy' : 'Sad', 'Happy'));
    const { elements } = parseXml(predictionGridSvg(samples, { columns: 4, scale: 3 }));
    const images = elements.filter((e) => e.name === 'image');
    expect(images).toHaveLength(10);
    images.forEach((img, i) => {
      expect(img.attrs.width).toBe('24');
      const b64 = img.attrs.href.replace(/^data:image\/png;base64,/, '');
      expect(b64).not.toBe(img.attrs.href);
      const png = PNG.sync.read(Buffer.from(b64, 'base64'));
      const gray = Uint8Array.from({ length: 64 }, (_, j) => png.data[4 * j]);
      expect(gray).toEqual(samples[i].pixels);
    });
    // 4 columns: 3 rows of tiles.
    const ys = new Set(images.map((e) => e.attrs.y));
    const xs = new Set(images.map((e) => e.attrs.x));
    expect(ys.size).toBe(3);
    expect(xs.size).toBe(4);
  });

  it('captions show prediction and confidence, green when right, red when wrong', () => {
    const svg = predictionGridSvg([sample(0, 'Happy', 'Happy'), sample(20, 'Sad', 'Fear'), sample(40, undefined, 'Neutral')]);
    const { elements, texts } = parseXml(svg);
    expect(texts).toEqual(expect.arrayContaining(['Happy (50%)', 'Fear (70%)', 'Neutral (90%)', 'true: Sad']));
    const captions = elements.filter((e) => e.attrs.class === 'caption').map((e) => e.attrs.fill);
    expect(captions).toEqual(['#1a8a2e', '#c62828', '#333333']);
    const groups = elements.filter((e) => e.attrs.class === 'sample').map((e) => e.attrs['data-correct']);
    expect(groups).toEqual(['true', 'false', undefined]);
  });

  it('accepts an empty list and rejects bad samples', () => {
    expect(() => parseXml(predictionGridSvg([]))).not.toThrow();
    expect(() => predictionGridSvg([{ ...sample(0, 'a', 'a'), size: 9 }])).toThrow(/sample 0 .*9×9/);
    expect(() => predictionGridSvg([{ ...sample(0, 'a', 'a'), confidence: Number.NaN }])).toThrow(/confidence/);
    expect(() => predictionGridSvg([sample(0, 'a', 'a')], { columns: 0 })).toThrow(/columns/);
  });
});
