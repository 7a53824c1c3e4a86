/**
 * Face boxes and their non-maximum suppression: the {@link Box} and {@link DetectedFace} types,
 * intersection over union, and MediaPipe's weighted NMS (Apache-2.0), which merges the detector's
 * overlapping candidates into one face each.
 *
 * @packageDocumentation
 */

/** A rectangle in pixels of the image: top-left corner, width and height. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One face found by {@link FaceDetector.detect}. */
export interface DetectedFace {
  /** The detector's box around the face (eyebrows to mouth, roughly; not the FER crop), clamped to the image. */
  box: Box;
  /** The detector's confidence that this is a face, 0–1. */
  score: number;
  /**
   * Six key points `[x, y]` in image pixels: right eye, left eye, nose tip, mouth centre, right
   * ear tragion, left ear tragion ("right" is the person's right, on the image's left).
   */
  landmarks: [number, number][];
}

/**
 * The part of `box` inside a `width × height` image (the detector's boxes of faces at the edge of
 * a photo reach past it). An empty intersection gives a box of zero width or height at the edge.
 */
export function clampBox(box: Box, width: number, height: number): Box {
  const x0 = Math.min(width, Math.max(0, box.x)), y0 = Math.min(height, Math.max(0, box.y));
  const x1 = Math.min(width, Math.max(x0, box.x + box.width)), y1 = Math.min(height, Math.max(y0, box.y + box.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Intersection over union of two boxes. */
export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Weighted non-maximum suppression (as MediaPipe's face detection): candidates sorted by score;
 * each kept face absorbs the candidates overlapping it by more than `iouThreshold`, its box and
 * landmarks becoming their score-weighted average; its score stays the best one.
 */
export function weightedNms(candidates: readonly DetectedFace[], iouThreshold: number, maxFaces: number): DetectedFace[] {
  let rest = [...candidates].sort((a, b) => b.score - a.score);
  const kept: DetectedFace[] = [];
  while (rest.length > 0 && kept.length < maxFaces) {
    const best = rest[0];
    const group = rest.filter((c) => iou(best.box, c.box) > iouThreshold || c === best);
    rest = rest.filter((c) => !group.includes(c));
    const total = group.reduce((s, c) => s + c.score, 0);
    const avg = (f: (c: DetectedFace) => number): number => group.reduce((s, c) => s + f(c) * c.score, 0) / total;
    kept.push({
      box: { x: avg((c) => c.box.x), y: avg((c) => c.box.y), width: avg((c) => c.box.width), height: avg((c) => c.box.height) },
      score: best.score,
      landmarks: best.landmarks.map((_, k) => [avg((c) => c.landmarks[k][0]), avg((c) => c.landmarks[k][1])] as [number, number]),
    });
  }
  return kept;
}
