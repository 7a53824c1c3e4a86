/**
 * The named defaults of the video options (src/video/defaults.ts): their values, where they are
 * exported, that the CLI's help states them (and the smoothing defaults), and that the code reads
 * them rather than literals of its own (with the module's constant changed, the code follows).
 */
import { describe, expect, it, vi } from 'vitest';
import { videoCommand } from '../../src/cli/commands/video.js';
import { DEFAULT_SMOOTHING } from '../../src/video/smoothing.js';
import { analyzeVideo } from '../../src/video/analyze.js';
import { decodeFrames } from '../../src/video/ffmpeg.js';
import { watchFaces } from '../../src/video/watch-faces.js';
import * as video from '../../src/video.js';
import { DEFAULT_VIDEO_OPTIONS } from '../../src/video/defaults.js';

const mocked = vi.hoisted(() => ({ fps: 5 as unknown, faces: 'auto' as unknown }));
vi.mock('../../src/video/defaults.js', () => ({ DEFAULT_VIDEO_OPTIONS: mocked }));

describe('DEFAULT_VIDEO_OPTIONS', () => {
  it('holds the documented defaults and is exported by fer-cnn-lstm/video', async () => {
    const { DEFAULT_VIDEO_OPTIONS: real } = await vi.importActual<typeof import('../../src/video/defaults.js')>('../../src/video/defaults.js');
    expect(real).toEqual({ fps: 5, faces: 'auto' });
    expect(Object.isFrozen(real)).toBe(true);
    expect(video.DEFAULT_VIDEO_OPTIONS).toBe(DEFAULT_VIDEO_OPTIONS);
  });

  it("is the video command's help default of --fps, as DEFAULT_SMOOTHING is of --alpha, --window and --hysteresis", () => {
    const help = videoCommand.help;
    expect(help).toMatch(new RegExp(`--fps <n> .*\\(default ${mocked.fps}\\)`));
    expect(help).toMatch(new RegExp(`--alpha <a> .*\\(default ${DEFAULT_SMOOTHING.alpha}\\)`));
    expect(help).toMatch(new RegExp(`--window <n> .*\\(default ${DEFAULT_SMOOTHING.window}\\)`));
    expect(help).toMatch(new RegExp(`--hysteresis <h> .*\\(default ${DEFAULT_SMOOTHING.hysteresis}\\)`));
  });

  it('is the fps that watchFaces, decodeFrames and analyzeVideo use without one', async () => {
    mocked.fps = -1;
    try {
      const frame = { width: 2, height: 2, data: new Uint8ClampedArray(16) };
      expect(() => watchFaces(frame, () => {})).toThrow('watchFaces: fps must be a positive number, got -1');
      await expect(decodeFrames('clip.mp4').next()).rejects.toThrow('fps must be a positive number, got -1');
      await expect(analyzeVideo('clip.mp4').next()).rejects.toThrow('fps must be a positive number, got -1');
    } finally {
      mocked.fps = 5;
    }
  });
});
