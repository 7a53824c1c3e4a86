/**
 * `fer-cnn-lstm video`: the timeline CSV and SVG plot of a video made by the test with ffmpeg
 * (skipped with a message where ffmpeg is absent), and the error without ffmpeg.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { EMOTIONS } from '../../src/emotions.js';
import { TIMELINE_CSV_HEADER } from '../../src/video/timeline.js';
import { saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';
import { HAS_FFMPEG, makeTestVideo } from '../video/make-video.js';
import { parseXml } from '../viz/xml.js';

let dir: string;
let model: string;
let video: string;

beforeAll(async () => {
  dir = tempDir();
  model = await saveTinyModel(join(dir, 'model'));
  if (HAS_FFMPEG) video = makeTestVideo(dir);
});

describe('fer-cnn-lstm video', () => {
  it('without ffmpeg: one error line saying how to install it, exit code 1', async () => {
    const r = await runCli(['video', join(dir, 'any.mp4'), '--weights', model], { env: { FFMPEG_PATH: '/nonexistent/ffmpeg' } });
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^fer-cnn-lstm: ffmpeg was not found .*apt-get install ffmpeg/);
  });

  it.skipIf(!HAS_FFMPEG)('--crop --out timeline.csv --plot timeline.svg: a row per whole frame (face 0) and one panel', async () => {
    const out = join(dir, 'timeline.csv');
    const plot = join(dir, 'timeline.svg');
    const r = await runCli(['video', video, '--crop', '--fps', '5', '--out', out, '--plot', plot, '--weights', model]);
    expect(r.code).toBe(0);
    // stdout: the summary of the one "face" (the whole frame)
    expect(lines(r.stdout)).toHaveLength(1);
    expect(lines(r.stdout)[0]).toMatch(new RegExp(`^whole frame: (${EMOTIONS.join('|')}) \\d+% of 10 frames.*, 0\\.0–1\\.8 s$`));
    expect(lines(r.stderr).at(-1)).toMatch(/^10\/10 frames \(100%\)/);
    const [head, ...rows] = lines(readFileSync(out, 'utf8'));
    expect(head).toBe(TIMELINE_CSV_HEADER.join(','));
    expect(rows).toHaveLength(10);
    const cols = head.split(',');
    rows.forEach((row, i) => {
      const v = Object.fromEntries(row.split(',').map((x, j) => [cols[j], x]));
      expect(Number(v.time)).toBeCloseTo(i / 5, 6);
      expect(v.face).toBe('0');
      expect([v.width, v.height]).toEqual(['256', '256']);
      expect(EMOTIONS).toContain(v.emotion);
      expect(EMOTIONS.reduce((s, e) => s + Number(v[e]), 0)).toBeCloseTo(1, 4);
      expect(EMOTIONS.reduce((s, e) => s + Number(v[`raw_${e}`]), 0)).toBeCloseTo(1, 4);
    });
    const { elements, texts } = parseXml(readFileSync(plot, 'utf8'));
    expect(elements.filter((e) => e.name === 'g' && e.attrs.class === 'panel').map((p) => p.attrs['data-label'])).toEqual(['whole frame']);
    const happy = elements.find((e) => e.attrs['data-series'] === 'p1-Happy')!;
    expect(happy.attrs.points.split(' ')).toHaveLength(10);
    expect(texts).toContain('pan.mp4');
  });

  it.skipIf(!HAS_FFMPEG)('by default the face is found and tracked (id 1 in every row); the CSV goes to stdout without --out', async () => {
    const r = await runCli(['video', video, '--fps', '2.5', '--weights', model]);
    expect(r.code).toBe(0);
    const [head, ...rows] = lines(r.stdout);
    expect(head).toBe(TIMELINE_CSV_HEADER.join(','));
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      const [, , face, x, , width, , faceScore] = row.split(',');
      expect(face).toBe('1');
      expect(Number(width)).toBeGreaterThan(40);
      expect(Number(x)).toBeGreaterThan(0);
      expect(Number(faceScore)).toBeGreaterThan(0.5);
    }
  });

  it.skipIf(!HAS_FFMPEG)('--json: a summary per face on stdout (dominant emotion, share of time per emotion), the CSV only with --out', async () => {
    const out = join(dir, 'timeline-json.csv');
    const r = await runCli(['video', video, '--fps', '2.5', '--json', '--out', out, '--weights', model]);
    expect(r.code).toBe(0);
    const [o, ...rest] = lines(r.stdout).map((l) => JSON.parse(l));
    expect(rest).toEqual([]);
    expect(o.file).toBe(video);
    expect(o.frames).toBe(5);
    expect(o.faces).toHaveLength(1);
    const [face] = o.faces;
    expect(face.id).toBe(1);
    expect(face.frames).toBe(5);
    expect(face.first).toBe(0);
    expect(face.last).toBeCloseTo(1.6, 6);
    expect(Object.keys(face.share)).toEqual([...EMOTIONS]);
    expect(Object.values(face.share as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(face.share[face.dominant]).toBe(Math.max(...Object.values(face.share as Record<string, number>)));
    const csvRows = lines(readFileSync(out, 'utf8'));
    expect(csvRows).toHaveLength(6);
    // the dominant emotion is the smoothed label of most rows
    const labels = csvRows.slice(1).map((row) => row.split(',')[8]);
    expect(labels.filter((l) => l === face.dominant).length / 5).toBeCloseTo(face.share[face.dominant], 6);
  });

  it.skipIf(!HAS_FFMPEG)('--annotate out.mp4: the analysed frames with the face\'s box drawn on them, as a video', async () => {
    const out = join(dir, 'annotated.mp4');
    const csv = join(dir, 'annotated.csv');
    const r = await runCli(['video', video, '--fps', '5', '--annotate', out, '--out', csv, '--weights', model]);
    expect(r.code).toBe(0);
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', out], { encoding: 'utf8' })).streams[0];
    expect([probe.width, probe.height, Number(probe.nb_read_frames)]).toEqual([256, 256, 10]);
    // frame 0 of the annotated video against frame 0 of the source (gray): the box's left edge differs, a far corner does not
    const gray = (f: string) => execFileSync('ffmpeg', ['-v', 'error', '-i', f, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 1 << 22 });
    const a = gray(out), b = gray(video);
    const row = lines(readFileSync(csv, 'utf8'))[1].split(',');
    const [x, y, h] = [Number(row[3]), Number(row[4]), Number(row[6])];
    let edge = 0, corner = 0;
    for (let k = 0; k < 20; k++) {
      const yy = Math.round(y + (h * (k + 1)) / 22);
      edge += Math.abs(a[yy * 256 + Math.round(x) + 1] - b[yy * 256 + Math.round(x) + 1]);
      corner += Math.abs(a[(250 - k) * 256 + 250] - b[(250 - k) * 256 + 250]);
    }
    expect(edge / 20).toBeGreaterThan(25);
    expect(corner / 20).toBeLessThan(8);
  });

  it('usage errors: no file, face options with --crop, --crop with --faces, bad --fps', async () => {
    expect((await runCli(['video'])).code).toBe(2);
    const r = await runCli(['video', 'x.mp4', '--crop', '--max-faces', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-faces cannot be used with --crop/);
    const both = await runCli(['video', 'x.mp4', '--crop', '--faces']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--crop .* and --faces .* exclude each other/);
    expect((await runCli(['video', 'x.mp4', '--fps', '0'])).code).toBe(2);
  });
});
