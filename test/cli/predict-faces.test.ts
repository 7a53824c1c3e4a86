import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { EMOTIONS } from '../../src/emotions.js';
import { ASTRONAUT, ASTRONAUT_FACE, compose } from '../detection/fixtures.js';
import { png, put, saveTinyModel, tempDir } from './fixtures.js';
import { lines, runCli } from './run-cli.js';

/** A `--require` preload that makes `@vladmandic/human` unresolvable, as if it were not installed. */
const HIDE_DETECTOR_PACKAGE = `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@vladmandic/human' || request.startsWith('@vladmandic/human/')) {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
`;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FACE_LINE = (file: string): RegExp =>
  new RegExp(`^${escape(file)} face (\\d+) box (-?\\d+),(-?\\d+),(\\d+),(\\d+): (${EMOTIONS.join('|')}) \\d+\\.\\d%`);

let dir: string;
let model: string;
let blank: string, pair: string, hide: string;

beforeAll(async () => {
  dir = tempDir();
  // a tiny untrained emotion model: these tests check detection and plumbing, not accuracy
  model = await saveTinyModel(join(dir, 'model'));
  blank = put(dir, 'blank.png', png(new Uint8Array(64 * 64).fill(128)));
  // two astronauts on one canvas: 0.8× and 0.7× mirrored
  const { image } = compose(900, 420, [{ x: 0, y: 0, scale: 0.8 }, { x: 480, y: 40, scale: 0.7, mirror: true }]);
  const p = new PNG({ width: image.width, height: image.height });
  p.data = Buffer.from(image.data);
  pair = put(dir, 'pair.png', PNG.sync.write(p));
  hide = put(dir, 'hide-human.cjs', HIDE_DETECTOR_PACKAGE);
});

describe('fer-cnn-lstm predict --faces', () => {
  it('prints one line per face: file, face number, box x,y,w,h in photo pixels, emotion and confidence', async () => {
    const r = await runCli(['predict', ASTRONAUT, '--faces', '--weights', model]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(1);
    const m = FACE_LINE(ASTRONAUT).exec(out[0]);
    expect(m, out[0]).not.toBeNull();
    const [, n, x, y, w, h] = m!.map(Number);
    expect(n).toBe(1);
    // the detector's box lies inside the reference FER crop of the astronaut (x 162–291, y 62–191)
    const f = ASTRONAUT_FACE;
    expect(x).toBeGreaterThanOrEqual(f.x);
    expect(y).toBeGreaterThanOrEqual(f.y);
    expect(x + w).toBeLessThanOrEqual(f.x + f.width);
    expect(y + h).toBeLessThanOrEqual(f.y + f.height);
    expect(w).toBeGreaterThan(90);
  });

  it('--json prints one object per photo and line: {file, faces: [{box, emotion, confidence, scores, faceScore}]}', async () => {
    const r = await runCli(['predict', ASTRONAUT, blank, '--faces', '--json', '--weights', model]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout).map((l) => JSON.parse(l));
    expect(out.map((o) => o.file)).toEqual([ASTRONAUT, blank]);
    expect(out[1].faces).toEqual([]);
    expect(out[0].faces).toHaveLength(1);
    const [face] = out[0].faces;
    expect(Object.keys(face).sort()).toEqual(['box', 'confidence', 'emotion', 'faceScore', 'scores']);
    expect(Object.keys(face.box).sort()).toEqual(['height', 'width', 'x', 'y']);
    expect(face.box.x).toBeGreaterThan(ASTRONAUT_FACE.x);
    expect(face.faceScore).toBeGreaterThan(0.7);
    expect(face.faceScore).toBeLessThanOrEqual(1);
    expect(EMOTIONS).toContain(face.emotion);
    expect(Object.keys(face.scores)).toEqual([...EMOTIONS]);
    const scores = Object.values(face.scores as Record<string, number>);
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(face.confidence).toBe(Math.max(...scores));
    expect(face.scores[face.emotion]).toBe(face.confidence);
  });

  it('says when a photo has no face', async () => {
    const r = await runCli(['predict', blank, '--faces', '--weights', model]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([`${blank}: no face found`]);
  });

  it('passes --max-faces and --min-face-score to the detector', async () => {
    const all = await runCli(['predict', pair, '--faces', '--weights', model]);
    expect(all.code).toBe(0);
    const both = lines(all.stdout);
    expect(both).toHaveLength(2);
    expect(both.map((l) => FACE_LINE(pair).exec(l)?.[1])).toEqual(['1', '2']);
    // one at x ≈ 0.8 × 162, one on the right half (mirrored copy placed at x = 480)
    const xs = both.map((l) => Number(FACE_LINE(pair).exec(l)![2])).sort((a, b) => a - b);
    expect(xs[0]).toBeLessThan(200);
    expect(xs[1]).toBeGreaterThan(480);

    const one = await runCli(['predict', pair, '--faces', '--weights', model, '--max-faces', '1']);
    expect(one.code).toBe(0);
    expect(lines(one.stdout)).toEqual([both[0]]);

    const strict = await runCli(['predict', pair, '--faces', '--weights', model, '--min-face-score', '1', '--json']);
    expect(strict.code).toBe(0);
    expect(JSON.parse(strict.stdout)).toEqual({ file: pair, faces: [] });
  });

  it('answers the good photos and reports a bad one on its own stderr line', async () => {
    const missing = join(dir, 'missing.png');
    const r = await runCli(['predict', missing, ASTRONAUT, '--faces', '--weights', model]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(lines(r.stdout)[0]).toMatch(FACE_LINE(ASTRONAUT));
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${missing}: no such file`]);
  });

  it('needs no other package: with @vladmandic/human unresolvable, the shipped detector still finds the face', async () => {
    const r = await runCli(['predict', ASTRONAUT, '--faces', '--weights', model], { env: { NODE_OPTIONS: `--require ${hide}` } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(lines(r.stdout)[0]).toMatch(FACE_LINE(ASTRONAUT));
  });

  it('names a wrong --detector path', async () => {
    const missing = join(dir, 'nope', 'blazeface.json');
    const r = await runCli(['predict', ASTRONAUT, '--faces', '--weights', model, '--detector', missing]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: cannot load the face detector from ${missing}: ${missing}: no such file`]);
  });

  it('is a usage error (exit 2) to pass a face option with --crop, --crop with --faces, or a bad value', async () => {
    for (const [args, msg] of [
      [['--crop', '--max-faces', '2'], '--max-faces cannot be used with --crop (which detects no face)'],
      [['--crop', '--faces'], '--crop (the whole image is the face) and --faces (find every face) exclude each other'],
      [['--min-face-score', '2'], '--min-face-score must be a number in [0, 1], got "2"'],
      [['--faces', '--min-face-score', '2'], '--min-face-score must be a number in [0, 1], got "2"'],
      [['--faces', '--max-faces', '0'], '--max-faces must be an integer ≥ 1, got "0"'],
    ] as const) {
      const r = await runCli(['predict', ASTRONAUT, '--weights', model, ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(lines(r.stderr)).toEqual([`fer-cnn-lstm: ${msg} (see --help)`]);
    }
  });

  it('--help describes --faces and its options', async () => {
    const r = await runCli(['predict', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--faces', '--min-face-score', '--max-faces']) expect(r.stdout).toContain(opt);
    expect(r.stdout).not.toContain('@vladmandic/human');
  });
});
