/**
 * A short test video made with the system's ffmpeg from the public-domain example image (no
 * downloaded media): 2 s at 10 fps of the astronaut portrait, the camera panning right so that the
 * face moves left. Tests that need it skip with a message where ffmpeg is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** Whether ffmpeg and ffprobe can be run. */
export const HAS_FFMPEG = ['ffmpeg', 'ffprobe'].every((p) => spawnSync(p, ['-version'], { stdio: 'ignore' }).status === 0);

if (!HAS_FFMPEG) console.warn('ffmpeg is not installed: the video tests are skipped (Debian/Ubuntu: apt-get install ffmpeg)');

/** The example photo the video is made of. */
export const PHOTO = resolve('examples/images/astronaut.png');

/** Writes the test video into `dir` and returns its path. */
export function makeTestVideo(dir: string, name = 'pan.mp4'): string {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-i', PHOTO,
    '-vf', "scale=320:320,crop=256:256:'t*30':20,format=yuv420p",
    '-t', '2', '-r', '10', '-c:v', 'mpeg4', '-q:v', '3', path,
  ]);
  return path;
}
