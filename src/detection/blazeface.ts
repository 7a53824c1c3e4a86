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

/** The anchors per cell of BlazeFace's two heads: 2 on the fine grid (stride 16 at a 256 input), 6 on the coarse one (stride 32). */
export const ANCHORS_PER_CELL: readonly [number, number] = [2, 6];

/**
 * The BlazeFace anchors `[x, y]` in input pixels for a `width × height` input: the fine grid
 * (stride `width / 16` of a square model input, 16 px for the 256 model) × 2 anchors, then the coarse grid (twice the
 * stride) × 6, each grid row by row.
 *
 * @param width The input's width (for the 256 model: any multiple of 32 up to 256, or the model's own side).
 * @param height The input's height; default `width`.
 * @param stride The fine grid's stride; default `width / 16`, the square model's own.
 */
export function blazeFaceAnchors(width: number, height = width, stride = width / 16): Float32Array {
  const specs = [{ stride, count: ANCHORS_PER_CELL[0] }, { stride: 2 * stride, count: ANCHORS_PER_CELL[1] }];
  const out: number[] = [];
  for (const { stride: s, count } of specs) {
    const cols = Math.ceil(width / s), rows = Math.ceil(height / s);
    for (let gy = 0; gy < rows; gy++) {
      for (let gx = 0; gx < cols; gx++) {
        for (let n = 0; n < count; n++) out.push(s * (gx + 0.5), s * (gy + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

/**
 * Reads BlazeFace's four heads — the last convolutions before the graph's reshapes, `[1, rows,
 * cols, k]` for the fine and the coarse grid, scores (`k` = anchors per cell) and regressors (`k`
 * = 16 × anchors per cell) — in anchor order, [fine-grid anchors, coarse-grid anchors]: one score
 * logit and 16 regressors per anchor. The heads have the input's shape (any multiple of 32 on
 * each side), so one model serves square and non-square inputs of any size.
 *
 * @param outputs The four head tensors, in any order (they are told apart by shape).
 * @throws Error naming the shapes found when they are not BlazeFace's.
 */
export async function readBlazeFaceOutputs(outputs: readonly tf.Tensor[]): Promise<{ scores: Float32Array; regressors: Float32Array; fineRows: number; fineCols: number }> {
  const [a1, a2] = ANCHORS_PER_CELL;
  const head = (k: number): tf.Tensor | undefined => outputs.find((t) => t.shape.length === 4 && t.shape[0] === 1 && t.shape[3] === k);
  const parts = [head(a1), head(a2), head(16 * a1), head(16 * a2)];
  const grid = (t: tf.Tensor | undefined): [number, number] => [t?.shape[1] ?? -1, t?.shape[2] ?? -1];
  const [[fineRows, fineCols], [coarseRows, coarseCols]] = [grid(parts[0]), grid(parts[1])];
  const same = (t: tf.Tensor | undefined, rows: number, cols: number): boolean => grid(t)[0] === rows && grid(t)[1] === cols;
  if (parts.some((p) => p === undefined) || !same(parts[2], fineRows, fineCols) || !same(parts[3], coarseRows, coarseCols)
    || Math.ceil(fineRows / 2) !== coarseRows || Math.ceil(fineCols / 2) !== coarseCols) {
    throw new Error(`the face detector's outputs are ${outputs.map((t) => `[${t.shape.join(',')}]`).join(', ')}: expected BlazeFace's four heads [1,h,w,${a1}], [1,h/2,w/2,${a2}], [1,h,w,${16 * a1}], [1,h/2,w/2,${16 * a2}]`);
  }
  const [s1, s2, r1, r2] = await Promise.all(parts.map((p) => p!.data() as Promise<Float32Array>));
  const scores = new Float32Array(s1.length + s2.length);
  scores.set(s1);
  scores.set(s2, s1.length);
  const regressors = new Float32Array(r1.length + r2.length);
  regressors.set(r1);
  regressors.set(r2, r1.length);
  return { scores, regressors, fineRows, fineCols };
}

/**
 * Anchor decoding: score = sigmoid(logit); box centre = anchor + offset, size as regressed, and
 * the six key points likewise, all in input pixels, then mapped to image pixels through the
 * window the input was sampled from. Candidates below `minScore` (or with an empty box) are
 * dropped; no suppression is done here.
 *
 * @param logits One score logit per anchor.
 * @param regressors 16 values per anchor: box centre offset (2), size (2), six key point offsets (12).
 * @param anchors {@link blazeFaceAnchors} of the input's shape.
 * @param inputSize The input's longer side: the pixels that the window's side spans.
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
