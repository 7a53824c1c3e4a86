/**
 * Face tracking across video frames by box overlap: a face keeps its id from frame to frame
 * while its box overlaps its box of the previous frame (intersection over union), so that each
 * face gets its own smoothed timeline.
 *
 * @packageDocumentation
 */
import { iou, type Box } from '../detection/boxes.js';

/** Options of {@link FaceTracker}. */
export interface TrackerOptions {
  /** Least IoU between a face's box and a track's last box to continue the track. Default 0.3. */
  iouThreshold?: number;
  /** Frames a track may go unseen (a missed detection, a turned head) before its id is retired. Default 5. */
  maxMissed?: number;
  /** The first id given. Default 1. */
  firstId?: number;
}

interface Track {
  id: number;
  box: Box;
  missed: number;
}

/**
 * Gives each face of each frame a track id: boxes are matched to the tracks of the previous
 * frames greedily, highest IoU first (each track and box at most once); an unmatched box starts a
 * new track (a new id, never reused); a track unmatched for more than `maxMissed` frames ends.
 *
 * @example
 * ```ts
 * const tracker = new FaceTracker();
 * const ids = tracker.update(faces.map((f) => f.box)); // one id per box, in order
 * ```
 */
export class FaceTracker {
  private tracks: Track[] = [];
  private nextId: number;
  private readonly iouThreshold: number;
  private readonly maxMissed: number;
  /** Ids of the tracks that ended in the last {@link FaceTracker.update}. */
  ended: number[] = [];

  constructor(options: TrackerOptions = {}) {
    this.iouThreshold = options.iouThreshold ?? 0.3;
    this.maxMissed = options.maxMissed ?? 5;
    this.nextId = options.firstId ?? 1;
    if (!(this.iouThreshold > 0 && this.iouThreshold <= 1)) throw new RangeError(`iouThreshold must be in (0, 1], got ${this.iouThreshold}`);
    if (!Number.isInteger(this.maxMissed) || this.maxMissed < 0) throw new RangeError(`maxMissed must be an integer ≥ 0, got ${this.maxMissed}`);
  }

  /** Assigns an id to each box of one frame (in the order given). */
  update(boxes: readonly Box[]): number[] {
    const pairs: { t: number; b: number; v: number }[] = [];
    this.tracks.forEach((track, t) => boxes.forEach((box, b) => {
      const v = iou(track.box, box);
      if (v >= this.iouThreshold) pairs.push({ t, b, v });
    }));
    pairs.sort((p, q) => q.v - p.v || p.t - q.t || p.b - q.b);
    const ids: (number | undefined)[] = new Array(boxes.length);
    const usedTracks = new Set<number>();
    for (const p of pairs) {
      if (usedTracks.has(p.t) || ids[p.b] !== undefined) continue;
      usedTracks.add(p.t);
      ids[p.b] = this.tracks[p.t].id;
      this.tracks[p.t].box = boxes[p.b];
      this.tracks[p.t].missed = 0;
    }
    this.ended = [];
    this.tracks = this.tracks.filter((track, t) => {
      if (usedTracks.has(t)) return true;
      track.missed++;
      if (track.missed > this.maxMissed) { this.ended.push(track.id); return false; }
      return true;
    });
    return boxes.map((box, b) => {
      if (ids[b] !== undefined) return ids[b]!;
      const id = this.nextId++;
      this.tracks.push({ id, box, missed: 0 });
      return id;
    });
  }
}
