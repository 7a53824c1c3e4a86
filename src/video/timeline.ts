/**
 * Timelines of {@link analyzeVideo}: rows for a CSV file (one per face per frame), and the
 * per-face series that {@link timelineSvg} plots.
 *
 * @packageDocumentation
 */
import { EMOTIONS, type Emotion } from '../emotions.js';
import type { VideoFrameResult } from './analyze.js';

/** One face's timeline: its scores (each emotion's, 0–1) at each time (seconds, increasing). */
export interface TimelineSeries {
  /** Panel title, e.g. `face 1`. */
  label: string;
  times: readonly number[];
  scores: readonly Readonly<Record<string, number>>[];
}

/** Header of the timeline CSV: time, frame, face id, box, face score, smoothed emotion and scores, then the frame's own. */
export const TIMELINE_CSV_HEADER: readonly string[] = Object.freeze([
  'time', 'frame', 'face', 'x', 'y', 'width', 'height', 'face_score', 'emotion', 'confidence', ...EMOTIONS,
  'raw_emotion', 'raw_confidence', ...EMOTIONS.map((e) => `raw_${e}`),
]);

const r = (v: number, d: number): string => String(Number(v.toFixed(d)));

/** The CSV lines (each ending in `\n`) of one frame: one per face, none for a frame without faces. */
export function timelineCsvRows(frame: VideoFrameResult): string {
  return frame.faces.map((f) => [
    r(frame.time, 3), frame.frame, f.id, r(f.box.x, 1), r(f.box.y, 1), r(f.box.width, 1), r(f.box.height, 1),
    f.faceScore === undefined ? '' : r(f.faceScore, 4),
    f.smoothed.emotion, r(f.smoothed.confidence, 6), ...EMOTIONS.map((e) => r(f.smoothed.scores[e], 6)),
    f.raw.emotion, r(f.raw.confidence, 6), ...EMOTIONS.map((e) => r(f.raw.scores[e], 6)),
  ].join(',') + '\n').join('');
}

/** Collects frames into one series per face id (smoothed scores), for {@link timelineSvg}. */
export class TimelineCollector {
  private readonly series = new Map<number, { times: number[]; scores: Record<Emotion, number>[] }>();

  /** Adds one frame's faces. */
  add(frame: VideoFrameResult): void {
    for (const f of frame.faces) {
      let s = this.series.get(f.id);
      if (!s) { s = { times: [], scores: [] }; this.series.set(f.id, s); }
      s.times.push(frame.time);
      s.scores.push(f.smoothed.scores);
    }
  }

  /** The series, by id. */
  result(): TimelineSeries[] {
    return [...this.series.entries()].sort((a, b) => a[0] - b[0]).map(([id, s]) => ({ label: id === 0 ? 'whole frame' : `face ${id}`, ...s }));
  }
}
