import { describe, expect, it } from 'vitest';
import { annotateImage, EMOTION_RGB, emotionLabel, labelWidth } from '../../src/viz/annotate.js';
import { drawEmotions, type Context2DLike } from '../../src/viz/draw-emotions.js';

const px = (img: { width: number; data: Uint8Array }, x: number, y: number): number[] => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('annotateImage (pure JS)', () => {
  it('draws the box in the emotion\'s colour and a label bar above it, leaving the rest as it was', () => {
    const img = { width: 200, height: 160, data: new Uint8Array(200 * 160 * 4).fill(50) };
    annotateImage(img, [{ box: { x: 60, y: 50, width: 80, height: 90 }, label: emotionLabel({ emotion: 'Happy', confidence: 0.951 }) }]);
    const green = [...EMOTION_RGB.Happy, 255];
    expect(px(img, 60, 100)).toEqual(green); // left edge
    expect(px(img, 139, 100)).toEqual(green); // right edge
    expect(px(img, 100, 139)).toEqual(green); // bottom edge
    expect(px(img, 100, 100)).toEqual([50, 50, 50, 50]); // inside: untouched
    expect(px(img, 5, 5)).toEqual([50, 50, 50, 50]); // far away: untouched
    // the bar: 9 px high just above the box, as wide as "HAPPY 95%" + margins; white text pixels on it
    expect(px(img, 60, 45)[3]).toBe(255);
    const bar: number[][] = [];
    for (let x = 60; x < 60 + labelWidth('HAPPY 95%', 1) + 2; x++) for (let y = 41; y < 50; y++) bar.push(px(img, x, y));
    expect(bar.some((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
    expect(bar.every((p) => p[3] === 255)).toBe(true);
  });

  it('a box at the top edge gets its label inside; a bad buffer is a RangeError', () => {
    const img = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 4) };
    annotateImage(img, [{ box: { x: 0, y: 0, width: 100, height: 100 }, label: 'Sad 51%' }]);
    expect(px(img, 3, 8)).toEqual([...EMOTION_RGB.Sad, 255]); // the bar, inside the box
    const text = Array.from({ length: 7 * 40 }, (_, k) => px(img, 1 + (k % 40), 1 + Math.floor(k / 40)));
    expect(text.some((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
    expect(() => annotateImage({ width: 10, height: 10, data: new Uint8Array(300) }, [])).toThrow(/needs RGBA pixels: 10×10 has 300 bytes, expected 400/);
  });
});

describe('drawEmotions (canvas 2D)', () => {
  function recorder(): Context2DLike & { calls: unknown[][] } {
    const calls: unknown[][] = [];
    return {
      calls, canvas: { width: 600, height: 400 }, strokeStyle: '', fillStyle: '', lineWidth: 1, font: '', textBaseline: '',
      save: () => calls.push(['save']), restore: () => calls.push(['restore']),
      strokeRect(...a) { calls.push(['strokeRect', this.strokeStyle, ...a]); },
      fillRect(...a) { calls.push(['fillRect', this.fillStyle, ...a]); },
      fillText(...a) { calls.push(['fillText', this.fillStyle, ...a]); },
      measureText: (t: string) => ({ width: t.length * 10 }),
    };
  }

  it('strokes each box (scaled) in its emotion\'s colour and writes its label above it', () => {
    const ctx = recorder();
    drawEmotions({ getContext: () => ctx }, [{ box: { x: 100, y: 80, width: 50, height: 60 }, emotion: 'Surprise', confidence: 0.5 }], { scale: 2 });
    const [r, g, b] = EMOTION_RGB.Surprise;
    expect(ctx.calls[0]).toEqual(['save']);
    expect(ctx.calls).toContainEqual(['strokeRect', `rgb(${r}, ${g}, ${b})`, 200, 160, 100, 120]);
    const text = ctx.calls.find((c) => c[0] === 'fillText')!;
    expect(text[1]).toBe('#fff');
    expect(text[2]).toBe('Surprise 50%');
    expect(text[4] as number).toBeLessThan(160);
    expect(ctx.calls.at(-1)).toEqual(['restore']);
  });

  it('keeps a label inside the canvas for a face at its right edge', () => {
    const ctx = recorder();
    // "Happy 90%" is 90 px wide in the recorder (+ padding): past the 600 px canvas when started at x 560
    drawEmotions(ctx, [{ box: { x: 560, y: 100, width: 40, height: 40 }, emotion: 'Happy', confidence: 0.9 }]);
    const bar = ctx.calls.find((c) => c[0] === 'fillRect')! as [string, string, number, number, number, number];
    expect(bar[2] + bar[4]).toBeLessThanOrEqual(600);
    expect(bar[2]).toBeGreaterThanOrEqual(0);
    const text = ctx.calls.find((c) => c[0] === 'fillText')! as [string, string, string, number, number];
    expect(text[3]).toBeGreaterThan(bar[2]);
  });

  it('needs a 2D context', () => {
    expect(() => drawEmotions({ getContext: () => null }, [])).toThrow(TypeError);
  });
});
