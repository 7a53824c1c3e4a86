/**
 * Separable resampling along one axis: which source pixels each output cell reads, and with which
 * weights — area averaging when shrinking, bilinear when enlarging. Shared by the gray resize of
 * every model input (`resizeGray`, image.ts) and the face detector's input sampling (`letterbox`,
 * detection/scan.ts), which apply the taps of both axes, rows then columns.
 *
 * @packageDocumentation
 */

/** The taps of one axis: for output cell `o`, `count[o]` source pixels from `start[o]`, weighted by `weights[o·span …]`. */
export interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  /** Weights stored per cell (the most a cell reads). */
  span: number;
  /** Whether the cell's centre lies on the source (bilinear: a cell past the edge reads nothing of it); all 1 for area taps. */
  inside: Uint8Array;
}

/**
 * The taps of `size` output cells of `step` source pixels each, the first starting at `origin`, over
 * an axis of `extent` source pixels.
 *
 * - `'area'`: cell `o` covers `[origin + o·step, origin + (o+1)·step)` and reads every source pixel
 *   it overlaps, weighted by the overlap; pixels past the axis's ends are left out. `normalize`:
 *   `'step'` divides by the cell's length (what lies outside counts as 0: black), `'sum'` by the
 *   overlaps' sum (the mean of what lies inside).
 * - `'bilinear'`: cell `o` reads the two source pixels around its centre `origin + (o+½)·step`
 *   (clamped to the axis), linearly weighted; `inside` says whether the centre is on the axis.
 */
export function axisTaps(origin: number, step: number, size: number, extent: number, mode: 'area' | 'bilinear', normalize: 'step' | 'sum' = 'step'): AxisTaps {
  const span = mode === 'area' ? Math.ceil(step) + 1 : 2;
  const start = new Int32Array(size), count = new Int32Array(size), weights = new Float64Array(size * span);
  const inside = new Uint8Array(size).fill(1);
  for (let o = 0; o < size; o++) {
    if (mode === 'area') {
      const a = origin + o * step, b = a + step;
      const first = Math.max(0, Math.floor(a)), end = Math.min(extent, Math.ceil(b));
      start[o] = first;
      let sum = 0;
      for (let p = first; p < end && p - first < span; p++) {
        const w = Math.min(p + 1, b) - Math.max(p, a);
        if (w > 0) {
          weights[o * span + p - first] = w;
          sum += w;
        }
        count[o] = p - first + 1;
      }
      const by = normalize === 'step' ? step : sum;
      for (let k = 0; k < count[o]; k++) weights[o * span + k] = by > 0 ? weights[o * span + k] / by : 0;
    } else {
      const c = origin + (o + 0.5) * step;
      inside[o] = c >= 0 && c < extent ? 1 : 0;
      const f = Math.min(extent - 1, Math.max(0, c - 0.5));
      const p0 = Math.floor(f), frac = f - p0;
      start[o] = p0;
      count[o] = p0 + 1 < extent ? 2 : 1;
      weights[o * span] = count[o] === 2 ? 1 - frac : 1;
      if (count[o] === 2) weights[o * span + 1] = frac;
    }
  }
  return { start, count, weights, span, inside };
}
