/**
 * The browser build's stand-in for `./sharp.ts` (build/node-only-modules.ts): browsers decode
 * images themselves, and the optional `sharp` package is a Node addon, so it is never loaded.
 *
 * @packageDocumentation
 */
import type { DetectedFormat } from './formats.js';
import type { Raster } from './image.js';

/** Always `undefined` in browsers. */
export function loadSharp(): Promise<undefined> {
  return Promise.resolve(undefined);
}

/** Never called in browsers ({@link loadSharp} gives nothing). */
export function decodeWithSharp(_sharp: never, _bytes: Uint8Array, _format: DetectedFormat, _maxPixels: number): Promise<Raster> {
  return Promise.reject(new Error('sharp is not available in browsers'));
}
