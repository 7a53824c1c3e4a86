import { describe, expect, it } from 'vitest';
import { Emotion, EMOTIONS } from '../../src/emotions.js';
import { summaryLines, VideoSummaryCollector } from '../../src/video/summary.js';
import type { VideoFrameResult } from '../../src/video/analyze.js';

const c = (emotion: Emotion) => ({ emotion, confidence: 0.9, scores: Object.fromEntries(EMOTIONS.map((e) => [e, e === emotion ? 0.9 : 0.1 / 6])) as Record<Emotion, number> });
const frame = (i: number, faces: [number, Emotion][]): VideoFrameResult => ({
  frame: i, time: i / 5, faces: faces.map(([id, e]) => ({ id, box: { x: 0, y: 0, width: 10, height: 10 }, raw: c(e), smoothed: c(e) })),
});

describe('VideoSummaryCollector', () => {
  it('per face: frames, first/last time, dominant emotion and the share of each (smoothed) emotion', () => {
    const s = new VideoSummaryCollector();
    const labels: Emotion[] = [Emotion.Happy, Emotion.Happy, Emotion.Neutral, Emotion.Happy, Emotion.Sad];
    labels.forEach((e, i) => s.add(frame(i, i < 2 ? [[1, e], [2, Emotion.Angry]] : [[1, e]])));
    s.add(frame(5, []));
    const [one, two] = s.result();
    expect(one).toMatchObject({ id: 1, frames: 5, first: 0, last: 0.8, dominant: 'Happy' });
    expect(one.share.Happy).toBeCloseTo(0.6, 10);
    expect(one.share.Neutral).toBeCloseTo(0.2, 10);
    expect(one.share.Sad).toBeCloseTo(0.2, 10);
    expect(one.share.Angry).toBe(0);
    expect(Object.keys(one.share)).toEqual([...EMOTIONS]);
    expect(two).toMatchObject({ id: 2, frames: 2, first: 0, last: 0.2, dominant: 'Angry' });
    expect(summaryLines([one, two])).toEqual([
      'face 1: Happy 60% of 5 frames (Sad 20%, Neutral 20%), 0.0–0.8 s',
      'face 2: Angry 100% of 2 frames, 0.0–0.2 s',
    ]);
  });

  it('nothing seen: no summaries', () => {
    expect(new VideoSummaryCollector().result()).toEqual([]);
  });
});
