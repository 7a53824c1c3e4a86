/**
 * BlazeFace's output format: its anchors, the ordering of the graph model's four output tensors,
 * and the decoding of scores and regressors into faces in image pixels. The decoding follows
 * `@vladmandic/human` (`src/face/blazeface.ts`, `src/face/facemeshutil.ts`, MIT licence,
 * © Vladimir Mandic).
 *
 * @packageDocumentation
 */
import { tf } from '../backends/tf.js';
import type { DetectedFace } from './boxes.js';
import type { ScanWindow } from './scan.js';

/** The BlazeFace anchors `[x, y]` in input pixels: 16×16 cells × 2 (stride 16), then 8×8 cells × 6 (stride 32). */
export function blazeFaceAnchors(inputSize: number): Float32Array {
  const specs = [{ stride: inputSize / 16, count: 2 }, { stride: inputSize / 8, count: 6 }];
  const out: number[] = [];
  for (const { stride, count } of specs) {
    const cells = Math.ceil(inputSize / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let n = 0; n < count; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

/**
 * Reads the model's outputs in anchor order, [stride-16 anchors, stride-32 anchors]: one score
 * logit and 16 regressors per anchor (`scores` has one value per anchor, `regressors` 16).
 *
 * @param outputs The graph model's output tensors, in any order (they are told apart by shape).
 * @param anchors {@link blazeFaceAnchors} of the model's input size.
 * @param inputSize The model's input side (256 for the full-photo BlazeFace).
 * @throws Error naming the shapes found when they are not BlazeFace's.
 */
export async function readBlazeFaceOutputs(outputs: readonly tf.Tensor[], anchors: Float32Array, inputSize: number): Promise<{ scores: Float32Array; regressors: Float32Array }> {
  const n = anchors.length / 2;
  const fine = (inputSize / 16) ** 2 * 2;
  const byRows = (rows: number, cols: number): tf.Tensor | undefined =>
    outputs.find((t) => t.shape.length === 3 && t.shape[1] === rows && t.shape[2] === cols);
  const parts = [byRows(fine, 1), byRows(n - fine, 1), byRows(fine, 16), byRows(n - fine, 16)];
  if (parts.some((p) => p === undefined)) {
    throw new Error(`the face detector's outputs are ${outputs.map((t) => `[${t.shape.join(',')}]`).join(', ')}: expected BlazeFace's [1,${fine},1], [1,${n - fine},1], [1,${fine},16], [1,${n - fine},16]`);
  }
  const [s1, s2, r1, r2] = await Promise.all(parts.map((p) => p!.data() as Promise<Float32Array>));
  const scores = new Float32Array(n);
  scores.set(s1);
  scores.set(s2, fine);
  const regressors = new Float32Array(n * 16);
  regressors.set(r1);
  regressors.set(r2, fine * 16);
  return { scores, regressors };
}

/**
 * Anchor decoding: score = sigmoid(logit); box centre = anchor + offset, size as regressed, and
 * the six key points likewise, all in input pixels, then mapped to image pixels through the
 * window the input was sampled from. Candidates below `minScore` (or with an empty box) are
 * dropped; no suppression is done here.
 *
 * @param logits One score logit per anchor.
 * @param regressors 16 values per anchor: box centre offset (2), size (2), six key point offsets (12).
 * @param anchors {@link blazeFaceAnchors} of the model's input size.
 * @param inputSize The model's input side.
 * @param window The square window of the image that the input shows.
 */
export function decodeBlazeFace(logits: Float32Array, regressors: Float32Array, anchors: Float32Array, inputSize: number, minScore: number, window: ScanWindow): DetectedFace[] {
  const scale = inputSize / window.side;
  const faces: DetectedFace[] = [];
  for (let i = 0; i < logits.length; i++) {
    const score = 1 / (1 + Math.exp(-logits[i]));
    if (score < minScore) continue;
    const ax = anchors[2 * i], ay = anchors[2 * i + 1];
    const r = regressors.subarray(i * 16, (i + 1) * 16);
    const cx = ax + r[0], cy = ay + r[1], w = r[2], h = r[3];
    if (!(w > 0 && h > 0)) continue;
    const landmarks: [number, number][] = [];
    for (let k = 0; k < 6; k++) landmarks.push([window.x + (ax + r[4 + 2 * k]) / scale, window.y + (ay + r[5 + 2 * k]) / scale]);
    faces.push({ box: { x: window.x + (cx - w / 2) / scale, y: window.y + (cy - h / 2) / scale, width: w / scale, height: h / scale }, score, landmarks });
  }
  return faces;
}
