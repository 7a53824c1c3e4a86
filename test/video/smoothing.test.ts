import { describe, expect, it } from 'vitest';
import { EMOTIONS, Emotion } from '../../src/emotions.js';
import { Random } from '../../src/util/random.js';
import { EmotionSmoother, resolveSmoothingOptions, type SmoothingOptions } from '../../src/video/smoothing.js';

type Scores = Record<Emotion, number>;

/** Scores from values in EMOTIONS order. */
function scores(values: number[]): Scores {
  const s = {} as Scores;
  EMOTIONS.forEach((e, i) => { s[e] = values[i]; });
  return s;
}

/** Two-class scores (for hand-computed cases). */
function two(a: number, b: number): Record<'A' | 'B', number> {
  return { A: a, B: b };
}

function argmax(s: Record<string, number>): string {
  return Object.entries(s).reduce((best, cur) => (cur[1] > best[1] ? cur : best))[0];
}

function flips(labels: string[]): number {
  let n = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] !== labels[i - 1]) n++;
  return n;
}

/** True emotion Happy, with noise strong enough that the per-frame argmax is often wrong. */
function noisySequence(frames: number, seed: number): Scores[] {
  const rnd = new Random(seed);
  const out: Scores[] = [];
  for (let f = 0; f < frames; f++) {
    const v = EMOTIONS.map((e) => (e === Emotion.Happy ? 0.25 : 0.125) + rnd.uniform(0, 0.3));
    const sum = v.reduce((a, b) => a + b, 0);
    out.push(scores(v.map((x) => x / sum)));
  }
  return out;
}

describe('EmotionSmoother', () => {
  it.each<[string, SmoothingOptions]>([
    ['ema', { method: 'ema' }],
    ['window', { method: 'window' }],
  ])('flips far less often than the raw argmax on a noisy sequence (%s)', (_, options) => {
    const seq = noisySequence(300, 5);
    const raw = seq.map(argmax);
    const smoother = new EmotionSmoother(options);
    const smoothed = seq.map((s) => smoother.update(s).emotion);
    const rawFlips = flips(raw);
    const smoothFlips = flips(smoothed);
    // the raw labels flicker a lot, and are often wrong
    expect(rawFlips).toBeGreaterThan(100);
    expect(raw.filter((l) => l !== Emotion.Happy).length).toBeGreaterThan(100);
    expect(smoothFlips).toBeLessThanOrEqual(rawFlips / 10);
    // once settled, the smoothed label is the true one
    expect(smoothed.slice(20).filter((l) => l === Emotion.Happy).length).toBeGreaterThan(0.95 * 280);
  });

  it('computes the EMA by hand', () => {
    const s = new EmotionSmoother<'A' | 'B'>({ method: 'ema', alpha: 0.5, hysteresis: 0 });
    let r = s.update(two(0.2, 0.8)); // first frame is taken as is
    expect(r.scores.A).toBeCloseTo(0.2, 12);
    expect(r.emotion).toBe('B');
    r = s.update(two(1, 0)); // 0.5·1 + 0.5·0.2 = 0.6
    expect(r.scores.A).toBeCloseTo(0.6, 12);
    expect(r.scores.B).toBeCloseTo(0.4, 12);
    expect(r.emotion).toBe('A');
    expect(r.confidence).toBeCloseTo(0.6, 12);
    r = s.update(two(0, 1)); // 0.5·0 + 0.5·0.6 = 0.3
    expect(r.scores.A).toBeCloseTo(0.3, 12);
    expect(r.emotion).toBe('B');
    expect(s.frames).toBe(3);
  });

  it('uses alpha as the weight of the newest frame', () => {
    const s = new EmotionSmoother<'A' | 'B'>({ alpha: 0.3, hysteresis: 0 });
    s.update(two(0, 1));
    const r = s.update(two(1, 0));
    expect(r.scores.A).toBeCloseTo(0.3, 12);
    expect(r.emotion).toBe('B');
  });

  it('averages the last `window` frames', () => {
    const s = new EmotionSmoother<'A' | 'B'>({ method: 'window', window: 3, hysteresis: 0 });
    expect(s.update(two(1, 0)).scores.A).toBeCloseTo(1, 12);
    expect(s.update(two(0, 1)).scores.A).toBeCloseTo(0.5, 12);
    expect(s.update(two(0.5, 0.5)).scores.A).toBeCloseTo(0.5, 12);
    // the first frame leaves the window: mean of (0, 0.5, 0.2)
    const r = s.update(two(0.2, 0.8));
    expect(r.scores.A).toBeCloseTo(0.7 / 3, 12);
    expect(r.emotion).toBe('B');
  });

  it('normalises input scores that do not sum to 1', () => {
    const s = new EmotionSmoother<'A' | 'B'>({ method: 'window', window: 2 });
    const r = s.update(two(3, 1));
    expect(r.scores.A).toBeCloseTo(0.75, 12);
  });

  it('keeps the current label while a rival leads by no more than the hysteresis', () => {
    const s = new EmotionSmoother<'A' | 'B'>({ method: 'window', window: 1, hysteresis: 0.1 });
    expect(s.update(two(0.6, 0.4)).emotion).toBe('A');
    let r = s.update(two(0.47, 0.53)); // B leads by 0.06 < 0.1: stay on A
    expect(r.emotion).toBe('A');
    expect(r.confidence).toBeCloseTo(0.47, 12);
    r = s.update(two(0.44, 0.56)); // leads by 0.12 > 0.1: switch
    expect(r.emotion).toBe('B');
    expect(r.confidence).toBeCloseTo(0.56, 12);
    // and without hysteresis the small lead is enough
    const plain = new EmotionSmoother<'A' | 'B'>({ method: 'window', window: 1, hysteresis: 0 });
    plain.update(two(0.6, 0.4));
    expect(plain.update(two(0.47, 0.53)).emotion).toBe('B');
  });

  it('reset() forgets the history and the label', () => {
    const s = new EmotionSmoother<'A' | 'B'>({ method: 'ema', alpha: 0.1, hysteresis: 0.2 });
    for (let i = 0; i < 10; i++) s.update(two(0.9, 0.1));
    expect(s.update(two(0.1, 0.9)).emotion).toBe('A');
    s.reset();
    expect(s.frames).toBe(0);
    const r = s.update(two(0.1, 0.9));
    expect(r.emotion).toBe('B');
    expect(r.scores.B).toBeCloseTo(0.9, 12);
    // a reset also allows other classes
    s.reset();
    expect(new EmotionSmoother<string>().update({ X: 1, Y: 3, Z: 0 }).emotion).toBe('Y');
  });

  it('returns scores that sum to 1, with every class', () => {
    for (const method of ['ema', 'window'] as const) {
      const s = new EmotionSmoother({ method });
      for (const frame of noisySequence(30, 9)) {
        const r = s.update(frame);
        expect(Object.keys(r.scores)).toEqual([...EMOTIONS]);
        const sum = Object.values(r.scores).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 10);
        expect(r.confidence).toBe(r.scores[r.emotion]);
      }
    }
  });

  it('rejects bad options', () => {
    expect(() => new EmotionSmoother({ method: 'median' as 'ema' })).toThrow(/method must be 'ema' or 'window', got "median"/);
    expect(() => new EmotionSmoother({ alpha: 0 })).toThrow(/alpha must be a number in \(0, 1\], got 0/);
    expect(() => new EmotionSmoother({ alpha: 1.5 })).toThrow(/alpha/);
    expect(() => new EmotionSmoother({ alpha: NaN })).toThrow(/alpha/);
    expect(() => new EmotionSmoother({ window: 0 })).toThrow(/window must be an integer ≥ 1/);
    expect(() => new EmotionSmoother({ window: 2.5 })).toThrow(/window/);
    expect(() => new EmotionSmoother({ hysteresis: -0.1 })).toThrow(/hysteresis must be a number in \[0, 1\)/);
    expect(() => new EmotionSmoother({ hysteresis: 1 })).toThrow(/hysteresis/);
    expect(resolveSmoothingOptions()).toEqual({ method: 'ema', alpha: 0.3, window: 8, hysteresis: 0.05 });
  });

  it('rejects bad scores, naming the frame and class', () => {
    const s = new EmotionSmoother<string>();
    expect(() => s.update({})).toThrow(/empty/);
    expect(() => s.update({ A: -1, B: 1 })).toThrow(/frame 0: score of A is -1/);
    expect(() => s.update({ A: NaN, B: 1 })).toThrow(/score of A is NaN/);
    expect(() => s.update({ A: 0, B: 0 })).toThrow(/every score is 0/);
    s.reset();
    s.update({ A: 1, B: 0 });
    expect(() => s.update({ A: 1, C: 0 })).toThrow(/frame 1: scores name the classes \[A, C\] but earlier frames had \[A, B\]/);
    expect(s.update({ B: 0, A: 1 }).emotion).toBe('A'); // key order does not matter
  });
});
