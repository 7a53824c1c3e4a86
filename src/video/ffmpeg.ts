/**
 * Video decoding with the system's `ffmpeg` (Node only): frames at a chosen rate as raw gray or
 * RGB pixels through a pipe (`-f rawvideo`), one frame in memory at a time. `ffmpeg` is found at
 * run time (`$FFMPEG_PATH`, else on the `PATH`); when it is missing, {@link FfmpegMissingError}
 * says how to install it.
 *
 * @packageDocumentation
 */
import { DEFAULT_VIDEO_OPTIONS } from './defaults.js';

/** `ffmpeg` (or `ffprobe`) is not installed. */
export class FfmpegMissingError extends Error {
  constructor(readonly program: string, readonly tried: string) {
    super(
      `${program} was not found (tried "${tried}"): video needs the ffmpeg program — install it `
      + `(Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) `
      + `or point $${program === 'ffprobe' ? 'FFPROBE_PATH' : 'FFMPEG_PATH'} to it`,
    );
    this.name = 'FfmpegMissingError';
  }
}

/** The programs to run. */
export interface FfmpegPrograms {
  ffmpeg: string;
  ffprobe: string;
}

async function works(program: string): Promise<boolean> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(program, ['-version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

let found: Promise<FfmpegPrograms> | undefined;
let foundFor = '';

/**
 * Finds `ffmpeg` and `ffprobe` (the Debian package has both): `$FFMPEG_PATH` / `$FFPROBE_PATH`,
 * else the ones on the `PATH` (`ffprobe` is also looked for next to `$FFMPEG_PATH`).
 * @throws FfmpegMissingError saying how to install ffmpeg.
 */
export function findFfmpeg(): Promise<FfmpegPrograms> {
  const ffmpeg = process.env.FFMPEG_PATH || 'ffmpeg';
  const ffprobe = process.env.FFPROBE_PATH || (process.env.FFMPEG_PATH ? process.env.FFMPEG_PATH.replace(/ffmpeg(\.exe)?$/i, 'ffprobe$1') : 'ffprobe');
  const key = `${ffmpeg}\0${ffprobe}`;
  if (!found || foundFor !== key) {
    foundFor = key;
    found = (async () => {
      if (!(await works(ffmpeg))) throw new FfmpegMissingError('ffmpeg', ffmpeg);
      if (!(await works(ffprobe))) throw new FfmpegMissingError('ffprobe', ffprobe);
      return { ffmpeg, ffprobe };
    })();
    found.catch(() => { found = undefined; });
  }
  return found;
}

/** What {@link probeVideo} finds out about a video's first video stream. */
export interface VideoInfo {
  /** Frame size as decoded (after the rotation ffmpeg applies), pixels. */
  width: number;
  height: number;
  /** Duration in seconds, when known. */
  duration?: number;
  /** The stream's average frame rate, when known. */
  fps?: number;
}

/** Runs a program to the end; resolves to its stdout, rejects with its stderr's last lines. */
async function runProgram(program: string, args: string[], what: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(program, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${what}: ${String(stderr).trim().split('\n').slice(-3).join(' ') || error.message}`));
      else resolve(String(stdout));
    });
  });
}

const rate = (r: unknown): number | undefined => {
  if (typeof r !== 'string') return undefined;
  const [n, d] = r.split('/').map(Number);
  const v = d ? n / d : n;
  return Number.isFinite(v) && v > 0 ? v : undefined;
};

/**
 * Size, duration and frame rate of a video file (`ffprobe`).
 * @throws FfmpegMissingError; Error naming the file when it is not a video ffmpeg can read.
 */
export async function probeVideo(file: string): Promise<VideoInfo> {
  const { ffprobe } = await findFfmpeg();
  const json = await runProgram(ffprobe, [
    '-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=width,height,avg_frame_rate,duration:stream_side_data=rotation:stream_tags=rotate:format=duration',
    '-of', 'json', file,
  ], file);
  const info = JSON.parse(json) as {
    streams?: { width?: number; height?: number; avg_frame_rate?: string; duration?: string; side_data_list?: { rotation?: number }[]; tags?: { rotate?: string } }[];
    format?: { duration?: string };
  };
  const s = info.streams?.[0];
  if (!s || !s.width || !s.height) throw new Error(`${file}: no video stream`);
  const rotation = Number(s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? s.tags?.rotate ?? 0);
  const turned = Math.abs(rotation) % 180 === 90;
  const duration = Number(s.duration ?? info.format?.duration);
  return {
    width: turned ? s.height : s.width,
    height: turned ? s.width : s.height,
    duration: Number.isFinite(duration) && duration > 0 ? duration : undefined,
    fps: rate(s.avg_frame_rate),
  };
}

/** One decoded frame. */
export interface VideoFrame {
  /** 0-based index among the decoded frames. */
  index: number;
  /** Its time in seconds from the start (`index / fps`). */
  time: number;
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  /** `width × height × channels` bytes, row-major. */
  data: Uint8Array;
}

/** Options of {@link decodeFrames}. */
export interface DecodeOptions {
  /** Frames per second to decode (ffmpeg's `fps` filter: frames are dropped or repeated). Default 5 ({@link DEFAULT_VIDEO_OPTIONS}). */
  fps?: number;
  /** `'gray'` (default) or `'rgb'`. */
  pixels?: 'gray' | 'rgb';
  /** Stops decoding (ffmpeg is killed); the iterator throws the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Decodes a video file into frames at `fps`, as raw pixels piped from `ffmpeg` — one frame in
 * memory at a time (ffmpeg waits while the caller works on a frame). Breaking out of the loop
 * stops ffmpeg.
 *
 * @example
 * ```ts
 * for await (const frame of decodeFrames('clip.mp4', { fps: 5 })) console.log(frame.time, frame.width);
 * ```
 * @throws FfmpegMissingError when ffmpeg is not installed; Error naming the file when ffmpeg cannot decode it.
 */
export async function* decodeFrames(file: string, options: DecodeOptions = {}): AsyncGenerator<VideoFrame, void, undefined> {
  const fps = options.fps ?? DEFAULT_VIDEO_OPTIONS.fps;
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps <= 0) throw new RangeError(`fps must be a positive number, got ${String(fps)}`);
  const channels = options.pixels === 'rgb' ? 3 : 1;
  const { ffmpeg } = await findFfmpeg();
  const { existsSync } = await import('node:fs');
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const { width, height } = await probeVideo(file);
  const { spawn } = await import('node:child_process');
  const child = spawn(ffmpeg, [
    '-v', 'error', '-nostdin', '-i', file,
    '-an', '-vf', `fps=${fps}`, '-pix_fmt', channels === 3 ? 'rgb24' : 'gray', '-f', 'rawvideo', 'pipe:1',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.on('error', () => {});
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const frameBytes = width * height * channels;
  let buffer: Buffer = Buffer.alloc(0);
  let index = 0;
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      while (buffer.length >= frameBytes) {
        const data = new Uint8Array(buffer.subarray(0, frameBytes)); // a copy: the caller may keep it
        buffer = buffer.subarray(frameBytes);
        if (options.signal?.aborted) throw options.signal.reason;
        yield { index, time: index / fps, width, height, channels, data };
        index++;
      }
    }
    const { code, signal } = await exited;
    if (options.signal?.aborted) throw options.signal.reason;
    // killed from outside (out of memory, a signal): name the signal, not "exit code null"
    if (signal) throw new Error(`${file}: ffmpeg was killed by ${signal} after ${index} frame${index === 1 ? '' : 's'}: the timeline is incomplete`);
    if (code !== 0) throw new Error(`${file}: ffmpeg could not decode it (${stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${code}`})`);
    finished = true;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!finished && child.exitCode === null) child.kill('SIGKILL');
  }
}
