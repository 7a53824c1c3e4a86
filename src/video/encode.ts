/**
 * Writing a video with the system's ffmpeg: RGBA frames piped in as raw pixels, encoded as MPEG-4
 * (ffmpeg's built-in `mpeg4` encoder, present in every build), one frame in memory at a time.
 *
 * @packageDocumentation
 */
import { findFfmpeg } from './ffmpeg.js';

/** An open video file being written: {@link VideoWriter.write} each frame, then {@link VideoWriter.close}. */
export interface VideoWriter {
  /** Adds one frame: `width × height` RGBA pixels (the size given to {@link openVideoWriter}). */
  write(rgba: Uint8Array): Promise<void>;
  /** Finishes the file; rejects with ffmpeg's message when it failed. */
  close(): Promise<void>;
}

/**
 * Starts ffmpeg writing `path` (MPEG-4 video at `fps` frames per second; odd sizes are padded by
 * one pixel, as yuv420p needs even sides).
 *
 * @throws FfmpegMissingError when ffmpeg is not installed.
 */
export async function openVideoWriter(path: string, options: { width: number; height: number; fps: number }): Promise<VideoWriter> {
  const { width, height, fps } = options;
  const { ffmpeg } = await findFfmpeg();
  const { spawn } = await import('node:child_process');
  const child = spawn(ffmpeg, [
    '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
    '-an', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'mpeg4', '-q:v', '3', '-pix_fmt', 'yuv420p', path,
  ], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  let failure: Error | undefined;
  child.on('error', (e) => { failure ??= e; });
  child.stdin.on('error', (e) => { failure ??= e; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const why = (code: number | null) => new Error(`${path}: ffmpeg could not write the video (exit ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''})`);
  return {
    async write(rgba) {
      if (rgba.length !== width * height * 4) throw new RangeError(`a frame of ${width}×${height} RGBA has ${width * height * 4} bytes, got ${rgba.length}`);
      if (failure) throw why(child.exitCode);
      if (!child.stdin.write(rgba)) {
        await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), exited]);
      }
      if (child.exitCode !== null && child.exitCode !== 0) throw why(child.exitCode);
    },
    async close() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw why(code);
    },
  };
}

/** Gray or RGB pixels as RGBA (alpha 255). */
export function toRgba(image: { width: number; height: number; channels: number; data: Uint8Array }): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(n * 4);
  const c = image.channels;
  for (let i = 0; i < n; i++) {
    const s = i * c;
    out[i * 4] = image.data[s];
    out[i * 4 + 1] = image.data[c >= 3 ? s + 1 : s];
    out[i * 4 + 2] = image.data[c >= 3 ? s + 2 : s];
    out[i * 4 + 3] = 255;
  }
  return out;
}
