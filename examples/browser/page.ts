/**
 * What the example's modules share: element lookup, the status line, errors, and where the
 * models are.
 *
 * @packageDocumentation
 */

/** Where the page's models are and which backend runs them (set once by `main.ts`). */
export interface PageModel {
  /** Absolute URL of the emotion model's `model.json`. */
  weights: string;
  /** Absolute URL of the face detector's `blazeface.json`; undefined when the build has none. */
  detector?: string;
  /** The TensorFlow.js backend in use (`wasm`, or `cpu` when wasm could not start). */
  backend: string;
}

/** The element with id `id` (the page's HTML has all of them). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** Sets the status line (`ready`, `analysing`, `webcam`, `error`, …; the tests wait on it). */
export function setStatus(text: string): void {
  $('status').textContent = text;
}

/** Empties the error line. */
export function clearError(): void {
  $('error').textContent = '';
}

/** Shows an error (name and message) and sets the status to `error`. */
export function showError(e: unknown): void {
  $('error').textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  setStatus('error');
}
