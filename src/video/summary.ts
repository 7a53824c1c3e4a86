/**
 * The summary of a video's faces: per face (track id), how long it was in view, its dominant
 * emotion and the share of its time spent in each emotion (by its smoothed label).
 *
 * @packageDocumentation
 */
import { EMOTIONS, type Emotion } from '../emotions.js';
import type { VideoFrameResult } from './analyze.js';

/** One face's summary. */
export interface FaceSummary {
  /** Its track id (0: the whole frame, without detection). */
  id: number;
  /** Analysed frames in which it was seen. */
  frames: number;
  /** Time of its first and last frame, seconds from the start. */
  first: number;
  last: number;
  /** The emotion it showed most (the smoothed label of most of its frames; ties: the first in {@link EMOTIONS} order). */
  dominant: Emotion;
  /** Share of its frames with each smoothed label, 0–1 (they sum to 1), in {@link EMOTIONS} order. */
  share: Record<Emotion, number>;
}

/** Collects analysed frames into per-face summaries ({@link FaceSummary}). */
export class VideoSummaryCollector {
  private readonly faces = new Map<number, { frames: number; first: number; last: number; counts: Record<Emotion, number> }>();

  /** Adds one frame's faces. */
  add(frame: VideoFrameResult): void {
    for (const f of frame.faces) {
      let s = this.faces.get(f.id);
      if (!s) {
        s = { frames: 0, first: frame.time, last: frame.time, counts: Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number> };
        this.faces.set(f.id, s);
      }
      s.frames++;
      s.last = frame.time;
      s.counts[f.smoothed.emotion]++;
    }
  }

  /** The summaries, by id. */
  result(): FaceSummary[] {
    return [...this.faces.entries()].sort((a, b) => a[0] - b[0]).map(([id, s]) => {
      const share = Object.fromEntries(EMOTIONS.map((e) => [e, s.counts[e] / s.frames])) as Record<Emotion, number>;
      const dominant = EMOTIONS.reduce((a, b) => (s.counts[b] > s.counts[a] ? b : a));
      return { id, frames: s.frames, first: s.first, last: s.last, dominant, share };
    });
  }
}

/** The readable lines of a summary: `face 1: Happy 62% of 48 frames (Neutral 25%, Sad 13%), 0.0–9.4 s`. */
export function summaryLines(summaries: readonly FaceSummary[]): string[] {
  return summaries.map((s) => {
    const pct = (e: Emotion) => `${Math.round(100 * s.share[e])}%`;
    const others = EMOTIONS.filter((e) => e !== s.dominant && s.share[e] > 0).sort((a, b) => s.share[b] - s.share[a]).map((e) => `${e} ${pct(e)}`);
    const name = s.id === 0 ? 'whole frame' : `face ${s.id}`;
    return `${name}: ${s.dominant} ${pct(s.dominant)} of ${s.frames} frame${s.frames === 1 ? '' : 's'}${others.length ? ` (${others.join(', ')})` : ''}, ${s.first.toFixed(1)}–${s.last.toFixed(1)} s`;
  });
}
