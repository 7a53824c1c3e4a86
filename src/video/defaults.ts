/**
 * The defaults of the video options (files: `analyzeVideo`, `decodeFrames`, the CLI's `video`;
 * live: `watchFaces`), one frozen constant that the code reads and the options' TSDoc points to. A
 * module of its own, without TensorFlow.js, so that the CLI's help can state the same numbers
 * without loading a model. Smoothing has its own: `DEFAULT_SMOOTHING` (smoothing.ts).
 *
 * @packageDocumentation
 */

/**
 * The defaults of the video options: 5 frames analysed per second of video, and faces found in
 * every frame that is not itself a face crop (`faces: 'auto'`, as for photos).
 */
export const DEFAULT_VIDEO_OPTIONS: Readonly<{ fps: number; faces: 'auto' | 'detect' | 'crop' }> = Object.freeze({ fps: 5, faces: 'auto' });
