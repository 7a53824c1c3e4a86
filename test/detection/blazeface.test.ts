import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { tf } from '../../src/backends/tf.js';
import { blazeFaceAnchors, decodeBlazeFace, readBlazeFaceOutputs } from '../../src/detection/blazeface.js';

describe('blazeFaceAnchors', () => {
  it('has BlazeFace\'s 896 anchors for a 256 input: 16×16×2 at stride 16, then 8×8×6 at stride 32', () => {
    const a = blazeFaceAnchors(256);
    expect(a.length).toBe(896 * 2);
    expect([a[0], a[1], a[2], a[3], a[4], a[5]]).toEqual([8, 8, 8, 8, 24, 8]);
    expect([a[512 * 2], a[512 * 2 + 1]]).toEqual([16, 16]);
    expect([a[895 * 2], a[895 * 2 + 1]]).toEqual([240, 240]);
  });

  it('lays the grids over a non-square input at the model\'s strides, row by row', () => {
    // a 256×192 input of the 256 model: 16 columns × 12 rows × 2 at stride 16, then 8 × 6 × 6 at stride 32
    const a = blazeFaceAnchors(256, 192, 16);
    expect(a.length / 2).toBe(16 * 12 * 2 + 8 * 6 * 6);
    expect([a[2 * 32], a[2 * 32 + 1]]).toEqual([8, 24]); // second row, first cell
    const coarse = 16 * 12 * 2;
    expect([a[2 * coarse], a[2 * coarse + 1]]).toEqual([16, 16]);
    expect([a[a.length - 2], a[a.length - 1]]).toEqual([240, 176]);
    // the second look's 128×128 input keeps the strides: 8×8×2, then 4×4×6
    expect(blazeFaceAnchors(128, 128, 16).length / 2).toBe(8 * 8 * 2 + 4 * 4 * 6);
  });
});

describe('decodeBlazeFace', () => {
  const anchors = blazeFaceAnchors(256);
  const n = anchors.length / 2;

  it('decodes an anchor\'s box and key points, mapped from input pixels to the window in the image', () => {
    const logits = new Float32Array(n).fill(-10);
    const reg = new Float32Array(n * 16);
    logits[3] = 2; // anchor 3: [24, 8]
    reg.set([4, -2, 40, 20, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6], 3 * 16);
    // the input shows the window x 100, y 50, side 512: 2 image pixels per input pixel
    const [f, ...rest] = decodeBlazeFace(logits, reg, anchors, 256, 0.5, { x: 100, y: 50, side: 512 });
    expect(rest).toEqual([]);
    expect(f.score).toBeCloseTo(1 / (1 + Math.exp(-2)));
    // centre (28, 6) in input pixels, 40×20
    expect(f.box).toEqual({ x: 100 + (28 - 20) * 2, y: 50 + (6 - 10) * 2, width: 80, height: 40 });
    expect(f.landmarks).toEqual([1, 2, 3, 4, 5, 6].map((k) => [100 + (24 + k) * 2, 50 + (8 + k) * 2]));
  });

  it('drops candidates below minScore and empty boxes', () => {
    const logits = new Float32Array(n).fill(5);
    const reg = new Float32Array(n * 16); // all sizes 0
    reg.set([0, 0, 10, 10], 0);
    expect(decodeBlazeFace(logits, reg, anchors, 256, 0.5, { x: 0, y: 0, side: 256 })).toHaveLength(1);
    expect(decodeBlazeFace(logits, reg, anchors, 256, 0.999, { x: 0, y: 0, side: 256 })).toHaveLength(0);
  });
});

describe('readBlazeFaceOutputs', () => {
  beforeAll(async () => { await setBackend('cpu'); });

  it('orders the four heads by shape: fine-grid anchors first, then coarse, each grid row by row', async () => {
    // a 256×192 input: fine grid 12 rows × 16 columns, coarse 6 × 8
    const s1 = tf.fill([1, 12, 16, 2], 1), s2 = tf.fill([1, 6, 8, 6], 2);
    const r1 = tf.fill([1, 12, 16, 32], 3), r2 = tf.fill([1, 6, 8, 96], 4);
    const { scores, regressors, fineRows, fineCols } = await readBlazeFaceOutputs([r2, s2, r1, s1]);
    const fine = 12 * 16 * 2, n = fine + 6 * 8 * 6;
    expect([fineRows, fineCols]).toEqual([12, 16]);
    expect(scores.length).toBe(n);
    expect([scores[0], scores[fine - 1], scores[fine], scores[n - 1]]).toEqual([1, 1, 2, 2]);
    expect(regressors.length).toBe(n * 16);
    expect([regressors[0], regressors[fine * 16 - 1], regressors[fine * 16], regressors[n * 16 - 1]]).toEqual([3, 3, 4, 4]);
    tf.dispose([s1, s2, r1, r2]);
  });

  it('names the shapes found when the model is not BlazeFace', async () => {
    const t = tf.zeros([1, 10]);
    await expect(readBlazeFaceOutputs([t])).rejects.toThrow("the face detector's outputs are [1,10]: expected BlazeFace's four heads [1,h,w,2], [1,h/2,w/2,6], [1,h,w,32], [1,h/2,w/2,96]");
    // heads whose grids do not match
    const parts = [tf.zeros([1, 8, 8, 2]), tf.zeros([1, 4, 4, 6]), tf.zeros([1, 8, 8, 32]), tf.zeros([1, 5, 4, 96])];
    await expect(readBlazeFaceOutputs(parts)).rejects.toThrow(/expected BlazeFace's four heads/);
    tf.dispose([t, ...parts]);
  });
});
