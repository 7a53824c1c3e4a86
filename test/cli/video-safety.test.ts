/**
 * `fer-cnn-lstm video` loses no work and claims nothing it did not do: every output is checked
 * before the video is analysed (a missing folder, the video itself), a still image or an empty
 * decode is an error, a truncated file is reported against its container's duration, and an
 * ffmpeg killed mid-stream is named with its signal. Skipped (with a message) without ffmpeg.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';
import { HAS_FFMPEG, PHOTO } from '../video/make-video.js';

let dir: string;
let model: string;
let video: string;

beforeAll(async () => {
  dir = tempDir('fer-video-safety-');
  model = await saveTinyModel(join(dir, 'model'));
  if (!HAS_FFMPEG) return;
  video = join(dir, 'long.mp4');
  // 8 s, its index (moov) at the front: a cut-off copy still opens and states 8 s
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', PHOTO, '-vf', 'scale=128:128,format=yuv420p',
    '-t', '8', '-r', '10', '-c:v', 'mpeg4', '-q:v', '5', '-movflags', '+faststart', video]);
});

describe.skipIf(!HAS_FFMPEG)('fer-cnn-lstm video: outputs and honest answers', () => {
  it('a missing output folder (--out or --plot) or the video as its own output fails at once, before any frame', async () => {
    for (const [args, message] of [
      [['--out', join(dir, 'missing', 'x.csv')], /x\.csv: cannot write the output \(its folder .*missing does not exist\)$/],
      [['--plot', join(dir, 'missing', 'p.svg')], /p\.svg: cannot write the output \(its folder .*missing does not exist\)$/],
      [['--out', video], /the output is also an input/],
    ] as [string[], RegExp][]) {
      const r = await runCli(['video', video, '--weights', model, ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(lines(r.stderr), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim(), args.join(' ')).toMatch(message);
    }
    expect(statSync(video).size).toBeGreaterThan(1000);
  });

  it('a still image is no video: exit 1 with a message, not exit 0 with no rows', async () => {
    const r = await runCli(['video', PHOTO, '--weights', model, '--out', join(dir, 'still.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/astronaut\.png: .*(no frames were decoded|not a video|truncated)/);
  });

  it('a truncated mp4 is reported against the duration its container states (exit 1), its decoded part kept', async () => {
    const cut = join(dir, 'cut.mp4');
    writeFileSync(cut, readFileSync(video));
    truncateSync(cut, Math.floor(statSync(video).size * 0.45));
    const out = join(dir, 'cut.csv');
    const r = await runCli(['video', cut, '--fps', '2', '--weights', model, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cut\.mp4: only \d+\.\d s of the 8\.0 s its container states could be decoded: the file looks truncated or damaged/);
    expect(lines(readFileSync(out, 'utf8')).length).toBeGreaterThan(1);
  });

  it('ffmpeg killed mid-stream: the signal is named, not "exit code null"', async () => {
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    const real = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
    const probe = execFileSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim();
    // this "ffmpeg" answers -version as the real one, and when decoding writes three 128×128 gray
    // frames' worth of pixels, then is killed (SIGKILL) mid-stream
    writeFileSync(join(bin, 'ffmpeg'), `#!/bin/sh\ncase "$*" in *-version*) exec ${real} "$@";; esac\nhead -c 49152 /dev/zero\nkill -KILL $$\n`);
    chmodSync(join(bin, 'ffmpeg'), 0o755);
    if (!existsSync(join(bin, 'ffprobe'))) symlinkSync(probe, join(bin, 'ffprobe'));
    const r = await runCli(['video', video, '--fps', '5', '--weights', model, '--out', join(dir, 'killed.csv')], { env: { FFMPEG_PATH: join(bin, 'ffmpeg') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/long\.mp4: ffmpeg was killed by SIGKILL after \d+ frames?: the timeline is incomplete/);
    expect(r.stderr).not.toContain('exit code null');
  });
});
