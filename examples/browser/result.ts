/**
 * The result panel: how many faces, the label, confidence and one bar per emotion of the most
 * prominent face, or "no face found". The same facts go into `data-*` attributes of `#result`
 * for the tests (test/browser/browser.test.ts):
 *
 * - `data-source`: `webcam`, `image <file name>` or `sample <name>`;
 * - `data-face`: `found` or `none`;
 * - `data-count`: how many faces;
 * - `data-boxes`: JSON, each face's box (pixels of the photo or video frame) and emotion;
 * - `data-scores`: JSON, the scores of the most prominent face (absent without a face);
 * - `data-frames`, `data-fps`: webcam frames analysed so far, and per second (set by `webcam.ts`).
 *
 * @packageDocumentation
 */
import { EMOTIONS, type Box, type Classification } from 'fer-cnn-lstm';
import { $ } from './page.js';

/** A face as the page shows it: where it is and its (raw or smoothed) classification. */
export interface ShownFace extends Classification {
  box: Box;
  /** The detector's confidence (absent for an image classified whole). */
  faceScore?: number;
}

/** Index of the most prominent face: the largest box × detection score (as `classifyEmotion` picks it). */
export function prominentIndex(faces: readonly ShownFace[]): number {
  const weight = (f: ShownFace) => f.box.width * f.box.height * (f.faceScore ?? 1);
  return faces.reduce((best, f, i) => (weight(f) > weight(faces[best]) ? i : best), 0);
}

const result = () => $('result');
const round = (x: number) => Math.round(10 * x) / 10;

/** Empties the result (faces, label, confidence, bars), so that nothing of an earlier photo or frame stays on show. */
export function clearResult(): void {
  for (const id of ['faces', 'emotion', 'confidence', 'source']) $(id).textContent = '';
  $('scores').replaceChildren();
  const data = result().dataset;
  data.source = '';
  for (const key of ['face', 'count', 'boxes', 'scores']) delete data[key];
}

/** Shows that `source` has no face (`text`: "no face found"), with no label or scores. */
export function showNoFace(source: string, text: string): void {
  clearResult();
  $('emotion').textContent = text;
  $('source').textContent = `(${source})`;
  Object.assign(result().dataset, { source, face: 'none', count: '0', boxes: '[]' });
}

/** Shows the number of faces and the label, confidence and scores of the most prominent one (`faces` not empty). */
export function showFaces(source: string, faces: readonly ShownFace[]): void {
  const best = faces[prominentIndex(faces)];
  $('faces').textContent = faces.length === 1 ? '1 face' : `${faces.length} faces; scores of the most prominent (largest box × detection score)`;
  $('emotion').textContent = best.emotion;
  $('confidence').textContent = `confidence ${(100 * best.confidence).toFixed(1)} %`;
  $('source').textContent = `(${source})`;
  $('scores').replaceChildren(...scoreRows(best));
  const boxes = faces.map((f) => ({ x: round(f.box.x), y: round(f.box.y), width: round(f.box.width), height: round(f.box.height), emotion: f.emotion }));
  Object.assign(result().dataset, {
    source, face: 'found', count: String(faces.length), boxes: JSON.stringify(boxes), scores: JSON.stringify(best.scores),
  });
}

/** One table row per emotion: name, bar, percentage (the label's row marked `best`). */
function scoreRows(c: Classification): HTMLTableRowElement[] {
  return EMOTIONS.map((e) => {
    const p = c.scores[e];
    const tr = document.createElement('tr');
    if (e === c.emotion) tr.className = 'best';
    tr.innerHTML = `<td>${e}</td><td class="bar"><div class="fill" style="width:${(100 * p).toFixed(1)}%"></div></td>`
      + `<td class="value">${(100 * p).toFixed(1)} %</td>`;
    return tr;
  });
}
