/**
 * `fer-cnn-lstm video <file>`: the emotions of a video over time — frames decoded with the
 * system's ffmpeg, faces found and tracked (or the whole frame as one face), classified and
 * smoothed per face; a per-frame timeline CSV and an SVG plot.
 *
 * @packageDocumentation
 */
import { DEFAULT_DETECT_OPTIONS, FACE_CROP_MAX_SIDE } from '../../detection/defaults.js';
import { MIN_FACE_SIZE } from '../../detection/scan.js';
import { DEFAULT_VIDEO_OPTIONS } from '../../video/defaults.js';
import { DEFAULT_SMOOTHING } from '../../video/smoothing.js';
import { flag, intOption, numberOption, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { applyVariantOption, classPriorOption, GLOBAL_HELP, loadCliClassifier, precisionOption, startBackend, type Command } from '../command.js';
import { EXIT, SourceError, oneLine } from '../errors.js';

const HELP = `Usage: fer-cnn-lstm video <file> [--fps ${DEFAULT_VIDEO_OPTIONS.fps}] [--crop] [--out timeline.csv] [--plot timeline.svg]

The emotions of a video over time. Frames are decoded by ffmpeg (install it: apt-get install ffmpeg,
brew install ffmpeg), the faces of each frame found (BlazeFace, shipped in the package) and tracked
across frames — a face keeps its id (1, 2, …) while it stays in view — then classified and smoothed
over time per face. Frames that are face crops themselves (square, at most ${FACE_CROP_MAX_SIDE} px) are classified
whole. A frame without a face has no row.

Options:
  --fps <n>              frames analysed per second of video (default ${DEFAULT_VIDEO_OPTIONS.fps})
  --crop                 classify each whole frame as one face (face id 0), without detection: for a
                         video of one face filling the frame
  --faces                always detect, also in frames that are small squares
  --out <file.csv>       the timeline, one row per face per frame (default: stdout):
                           time,frame,face,x,y,width,height,face_score,emotion,confidence,<7 scores>,
                           raw_emotion,raw_confidence,raw_<7 scores>
                         (emotion and scores smoothed; raw_*: the frame's own classification)
  --json                 print a summary of each face as one JSON object on stdout:
                           {"file","frames","faces":[{"id","frames","first","last","dominant","share"}]}
                         (share: the part of the face's frames with each smoothed emotion); the
                         timeline CSV is then only written with --out
  --annotate <out.mp4>   also write the analysed frames (at --fps) with each face's box and smoothed
                         label drawn on them, as an MPEG-4 video
  --plot <file.svg>      also draw the timeline: each emotion's smoothed score over time, one panel per face
  --title <text>         title of the plot (default: the video's file name)
  --weights <path>       model folder or model.json (default: the shipped pretrained weights)
  --precision <p>        stored precision of the shipped weights: float32 (default), float16, uint8
  --variant <v>          shipped model: default, or accurate; not with --weights
  --tta                  average each face with its mirror image; without --tta/--no-tta the
                         model's own setting (the shipped default: the mirror where it is unsure)
  --no-tta               one view per face
  --class-prior <p>      training (default), uniform (faces balanced across emotions), or τ in 0–1
Smoothing (per face):
  --method <ema|window>  exponential moving average (default) or a sliding window
  --alpha <a>            EMA weight of the newest frame, (0, 1] (default ${DEFAULT_SMOOTHING.alpha})
  --window <n>           frames of the sliding window (default ${DEFAULT_SMOOTHING.window})
  --hysteresis <h>       margin a new label needs to replace the current one, [0, 1) (default ${DEFAULT_SMOOTHING.hysteresis})
Faces:
  --min-face-score <n>   ignore faces whose detection score is below n, 0–1 (default ${DEFAULT_DETECT_OPTIONS.minFaceScore})
  --max-faces <n>        at most n faces per frame (default ${DEFAULT_DETECT_OPTIONS.maxFaces})
  --min-face-size <px>   also scan each frame in tiles for faces down to px pixels (slower)
  --detector <path>      the face detector's blazeface.json (default: the one shipped in the package)
  --max-missed <n>       frames a face may go undetected and keep its id (default: one second of frames)

After the run, a summary line per face: its dominant emotion and the share of its time in each
("face 1: Happy 62% of 48 frames (Neutral 25%, Sad 13%), 0.0–9.4 s"), on stdout with --out, else
on stderr. Progress goes to stderr.

${GLOBAL_HELP}`;

const FACE_OPTIONS = ['min-face-score', 'max-faces', 'min-face-size', 'detector', 'max-missed'];

async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`video needs exactly one video file${args.positionals.length ? ` (got ${args.positionals.length})` : ''}`);
  const file = args.positionals[0];
  const fps = numberOption(args.values, 'fps', 0.001, 1000, true) ?? DEFAULT_VIDEO_OPTIONS.fps;
  const crop = flag(args.values, 'crop');
  if (crop && flag(args.values, 'faces')) throw new UsageError('--crop (the whole frame is the face) and --faces (find every face) exclude each other');
  const faces = crop ? 'crop' as const : flag(args.values, 'faces') ? 'detect' as const : 'auto' as const;
  if (crop) {
    const faceOnly = FACE_OPTIONS.find((o) => args.values[o] !== undefined);
    if (faceOnly) throw new UsageError(`--${faceOnly} cannot be used with --crop (which detects no face)`);
  }
  const method = stringOption(args.values, 'method');
  if (method !== undefined && method !== 'ema' && method !== 'window') throw new UsageError(`--method must be ema or window, got "${method}"`);
  // the model options checked before any work; the classifier is loaded once the backend is up
  await applyVariantOption(args);
  precisionOption(args);
  classPriorOption(args);
  const options = {
    fps, faces,
    method: method as 'ema' | 'window' | undefined,
    alpha: numberOption(args.values, 'alpha', 0, 1, true),
    window: intOption(args.values, 'window', 1),
    hysteresis: numberOption(args.values, 'hysteresis', 0, 1),
    minFaceScore: numberOption(args.values, 'min-face-score', 0, 1, true),
    maxFaces: intOption(args.values, 'max-faces', 1),
    minFaceSize: numberOption(args.values, 'min-face-size', MIN_FACE_SIZE),
    detector: stringOption(args.values, 'detector'),
    maxMissed: intOption(args.values, 'max-missed', 0) ?? Math.max(1, Math.round(fps)),
  };
  if (options.alpha === 0) throw new UsageError('--alpha must be in (0, 1], got "0"');
  const outPath = stringOption(args.values, 'out');
  const json = flag(args.values, 'json');
  const annotatePath = stringOption(args.values, 'annotate');
  const plotPath = stringOption(args.values, 'plot');

  // every output checked before the work starts: not the video itself, its folder there and writable
  const { checkWritable, openOutput, refuseOutputIsInput } = await import('../../util/output-file.js');
  const toStdout = outPath === undefined || outPath === '-';
  const asSource = (e: unknown) => new SourceError((e as Error).message, { cause: e });
  for (const p of [toStdout ? undefined : outPath, plotPath, annotatePath]) {
    if (p === undefined) continue;
    await refuseOutputIsInput(p, { inputs: [file] }).catch((e) => { throw asSource(e); });
    await checkWritable(p).catch((e) => { throw asSource(e); });
  }
  const { analyzeVideo, videoInfo } = await import('../../video/analyze.js');
  const { TIMELINE_CSV_HEADER, TimelineCollector, timelineCsvRows } = await import('../../video/timeline.js');
  const { VideoSummaryCollector, summaryLines } = await import('../../video/summary.js');
  const { ProgressDisplay } = await import('../../batch/progress.js');
  const { FfmpegMissingError } = await import('../../video/ffmpeg.js');
  let info: Awaited<ReturnType<typeof videoInfo>>;
  try {
    info = await videoInfo(file);
  } catch (e) {
    if (e instanceof FfmpegMissingError) throw new SourceError(e.message, { cause: e });
    throw new SourceError(oneLine(e).includes(file) ? oneLine(e) : `${file}: ${oneLine(e)}`, { cause: e });
  }
  await startBackend(args);
  const { classifier } = await loadCliClassifier(args);

  const fs = await import('node:fs');
  const csvToStdout = toStdout;
  const sink = toStdout ? undefined : await openOutput(outPath!).catch((e) => { throw asSource(e); });
  // with --json and no --out, stdout carries the JSON summary alone
  const write = sink ? (text: string) => sink.write(text).catch((e) => { throw asSource(e); })
    : (text: string) => json ? Promise.resolve() : new Promise<void>((resolve, reject) => {
      process.stdout.write(text, (e) => (e ? reject(new SourceError(`stdout: ${e.message}`)) : resolve()));
    });
  const progress = new ProgressDisplay(process.stderr, { unit: 'frames', interval: 10 });
  if (info.duration !== undefined) progress.setTotal(Math.max(1, Math.round(info.duration * fps)));
  const collector = new TimelineCollector();
  const summary = new VideoSummaryCollector();
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => { interrupted = true; controller.abort(); };
  process.once('SIGINT', onSigint);
  let frames = 0;
  let failed = false;
  let truncated = false;
  let writer: import('../../video/encode.js').VideoWriter | undefined;
  const drawing = annotatePath === undefined ? undefined : {
    ...(await import('../../video/encode.js')), ...(await import('../../viz/annotate.js')),
  };
  try {
    await write(TIMELINE_CSV_HEADER.join(',') + '\n');
    for await (const frame of analyzeVideo(file, { ...options, classifier, signal: controller.signal, keepFrames: drawing !== undefined })) {
      frames++;
      if (drawing && frame.image) {
        const img = { width: frame.image.width, height: frame.image.height, data: drawing.toRgba(frame.image) };
        drawing.annotateImage(img, frame.faces.map((f) => ({ box: f.box, label: drawing.emotionLabel(f.smoothed) })));
        writer ??= await drawing.openVideoWriter(annotatePath!, { width: img.width, height: img.height, fps });
        await writer.write(img.data);
      }
      collector.add(frame);
      summary.add(frame);
      const rows = timelineCsvRows(frame);
      if (rows) await write(rows);
      progress.update(frames, 0);
    }
  } catch (e) {
    failed = true;
    if (!interrupted) throw e instanceof SourceError ? e : new SourceError(oneLine(e).includes(file) || e instanceof FfmpegMissingError ? oneLine(e) : `${file}: ${oneLine(e)}`, { cause: e });
  } finally {
    process.off('SIGINT', onSigint);
    progress.setTotal(frames);
    progress.finish();
    if (writer) await writer.close().catch((e: unknown) => { if (!failed) throw new SourceError(oneLine(e), { cause: e }); });
    if (sink) await sink.close().catch((e) => { if (!failed) throw asSource(e); });
  }
  if (!interrupted && frames === 0) {
    throw new SourceError(`${file}: no frames were decoded: is it a video? (a still image is not; predict reads images)`);
  }
  if (!interrupted && info.duration !== undefined) {
    // a file cut short (an mp4 with its index at the front) decodes fewer frames than its container says
    const decoded = frames / fps;
    if (decoded < info.duration - Math.max(1, 2 / fps)) {
      process.stderr.write(`fer-cnn-lstm: ${file}: only ${decoded.toFixed(1)} s of the ${info.duration.toFixed(1)} s its container states could be decoded: the file looks truncated or damaged (the timeline covers the decoded part)\n`);
      truncated = true;
    }
  }
  const summaries = summary.result();
  if (json) process.stdout.write(JSON.stringify({ file, frames, faces: summaries }) + '\n');
  else if (summaries.length > 0) (csvToStdout ? process.stderr : process.stdout).write(summaryLines(summaries).join('\n') + '\n');
  if (plotPath !== undefined) {
    const series = collector.result();
    if (series.length === 0) {
      process.stderr.write(`no face was found in ${file}: no plot written\n`);
    } else {
      const { timelineSvg } = await import('../../viz/timeline.js');
      const { basename } = await import('node:path');
      const svg = timelineSvg(series, { title: stringOption(args.values, 'title') ?? basename(file), duration: info.duration });
      try {
        fs.writeFileSync(plotPath, svg);
      } catch (e) {
        throw new SourceError(`${plotPath}: cannot write the plot (${oneLine(e)})`, { cause: e });
      }
    }
  }
  return interrupted ? EXIT.interrupted : truncated ? EXIT.failure : EXIT.ok;
}

/** The `video` command. */
export const videoCommand: Command = {
  name: 'video',
  summary: 'emotions of a video over time (ffmpeg): per-frame timeline CSV and plot, faces tracked',
  help: HELP,
  options: {
    fps: { type: 'string' },
    faces: { type: 'boolean' },
    crop: { type: 'boolean' },
    json: { type: 'boolean' },
    annotate: { type: 'string' },
    out: { type: 'string' },
    plot: { type: 'string' },
    title: { type: 'string' },
    weights: { type: 'string' },
    precision: { type: 'string' },
    tta: { type: 'boolean' },
    'no-tta': { type: 'boolean' },
    variant: { type: 'string' },
    'class-prior': { type: 'string' },
    method: { type: 'string' },
    alpha: { type: 'string' },
    window: { type: 'string' },
    hysteresis: { type: 'string' },
    'min-face-score': { type: 'string' },
    'max-faces': { type: 'string' },
    'min-face-size': { type: 'string' },
    detector: { type: 'string' },
    'max-missed': { type: 'string' },
  },
  positionals: true,
  run,
};
