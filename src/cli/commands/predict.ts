/**
 * `fer-cnn-lstm predict <image...>`: the emotion of each image, one line (or JSON object) per
 * image. With `--faces`, the faces of each photo are found first (`detectEmotions`) and each face
 * gets a line. A bad file gets an error line on stderr and the others are still answered.
 *
 * @packageDocumentation
 */
import type { FaceEmotion } from '../../detection/detect-emotions.js';
import type { PhotoClassification } from '../../detection/photo.js';
import { flag, intOption, numberOption, stringOption, UsageError, type ParsedArgs } from '../args.js';
import { applyVariantOption, GLOBAL_HELP, loadCliClassifier, startBackend, stderrProgress, type Command } from '../command.js';
import { attachSource, EXIT, oneLine, PROGRAM, reportError, SourceError } from '../errors.js';
import { formatPrediction } from '../output.js';
import { out } from '../quiet.js';
import { DEFAULT_DETECT_OPTIONS, FACE_CROP_MAX_SIDE } from '../../detection/defaults.js';
import { MIN_FACE_SIZE } from '../../detection/scan.js';
import { BATCH_HELP } from '../batch-help.js';

const HELP = `Usage: fer-cnn-lstm predict <image|folder...> [options]

Predicts the facial emotion of the face in each image (JPEG or PNG, any size, turned upright by its
EXIF orientation; WebP, AVIF, TIFF and GIF with the optional sharp installed). An image that is a
face crop already (square, at most ${FACE_CROP_MAX_SIDE} px, as FER-2013's 48×48 faces) is classified as it is; any
other image is a photo: the face detector (BlazeFace, shipped in the package) finds its faces and
the most prominent one (largest box × detection score) is classified. A photo without a face gets
no emotion: a "no face found" line on stderr, and exit code 1.

Options:
  --weights <path>       model folder or model.json (default: the shipped pretrained weights)
  --tta                  average each image with its mirror image (slower, a little more accurate);
                         without --tta/--no-tta the shipped variant's own setting: the default
                         model adds the mirror where the first view is unsure, accurate always
  --no-tta               one view per image
  --json                 one JSON object per image and line: {"file","emotion","confidence","scores"},
                         for a photo also "faceCount" (faces found), "box" and "faceScore" of the
                         classified face
  --crop                 classify each whole image as a face (no detection), whatever its size
  --annotate <out.png>   (one image) also write the image with the answered face's box and label
                         drawn on it (every face with --faces) as a PNG
  --batch-size <n>       images per forward pass (default 64)
  --precision <p>        stored precision of the shipped weights: float32 (default), float16 or uint8
                         (smaller, accuracy in the README); not with --weights
  --variant <v>          shipped model: default, or accurate (a deeper network with flip TTA: more
                         accurate, slower; numbers in the README); not with --weights
  --class-prior <p>      training (default: the model's FER-2013 class frequencies) or uniform (for
                         faces balanced across emotions: lab studies, posed sets), or τ in 0–1 (part way)

An image with almost no contrast (blank, uniform grey) still gets its line, plus a warning on
stderr ("lowContrast": true in --json): its answer says nothing about a face. Runs of more than one
forward pass show progress on stderr.

Full photos:
  --faces                find and classify every face of each photo (also in small square images),
                         each cropped the way FER-2013 faces are framed; one line per face:
                           <file> face <n> box <x>,<y>,<width>,<height>: <emotion> <confidence>
                         (box in photo pixels), or with --json one object per photo and line:
                           {"file","faces":[{"box","emotion","confidence","scores","faceScore"}]}
  --min-face-score <n>   ignore faces whose detection score is below n, 0–1 (default ${DEFAULT_DETECT_OPTIONS.minFaceScore})
  --max-faces <n>        at most n faces per photo, best detection first (default ${DEFAULT_DETECT_OPTIONS.maxFaces})
  --min-face-size <px>   also scan each photo in tiles for faces down to px pixels (slower; at least 20)
  --detector <path>      the face detector's blazeface.json (default: the one shipped in the package)

A file that cannot be read gets one error line on stderr; the exit code is then 1.

${BATCH_HELP}

${GLOBAL_HELP}`;

/** The JSON line of one answer. */
function jsonLine(file: string, c: PhotoClassification): string {
  return JSON.stringify({
    file, emotion: c.emotion, confidence: c.confidence, scores: c.scores, ...(c.lowContrast ? { lowContrast: true } : {}),
    ...(c.box ? { faceCount: c.faceCount, box: c.box, faceScore: c.faceScore } : {}),
  });
}

/** The stderr line of a photo without a face. */
function noFaceLine(file: string): string {
  return `${PROGRAM}: ${file}: no face found (pass --crop to classify the whole image as a face)\n`;
}

/** The stderr warning for an image without contrast (it still gets its answer line). */
function lowContrastWarning(file: string): string {
  return `${PROGRAM}: warning: ${file}: almost no contrast (a blank or uniform image): the answer says nothing about a face\n`;
}

/** The options of face detection (not with `--crop`). */
const FACE_OPTIONS = ['min-face-score', 'max-faces', 'min-face-size', 'detector'];

/** The JSON line of one photo's faces. */
function facesJsonLine(file: string, faces: readonly FaceEmotion[]): string {
  return JSON.stringify({
    file,
    faces: faces.map((f) => ({ box: f.box, emotion: f.emotion, confidence: f.confidence, scores: f.scores, faceScore: f.faceScore })),
  });
}

/** The readable line of one face: `group.jpg face 1 box 172,73,104,104: Happy 87.3% (Neutral 6.1%, Sad 2.9%)`. */
function faceLine(file: string, index: number, f: FaceEmotion): string {
  const { x, y, width, height } = f.box;
  return formatPrediction(`${file} face ${index + 1} box ${[x, y, width, height].map((v) => Math.round(v)).join(',')}`, f);
}

/** Whether an error says the face detector cannot load (rather than that one image is bad). */
function isDetectorFailure(e: unknown): boolean {
  // by name: this module loads no TensorFlow.js before the command runs
  return e instanceof Error && (e.name === 'FaceDetectorMissingError' || e.message.startsWith('cannot load the face detector'));
}

/** `predict --faces`: detects the faces of each photo and classifies each one. */
async function predictFaces(args: ParsedArgs, files: readonly string[], json: boolean, batchSize: number, annotate?: string): Promise<number> {
  const minFaceScore = numberOption(args.values, 'min-face-score', 0, 1, true);
  const maxFaces = intOption(args.values, 'max-faces', 1);
  const minFaceSize = numberOption(args.values, 'min-face-size', MIN_FACE_SIZE);
  const detector = stringOption(args.values, 'detector');
  await startBackend(args);
  const { classifier } = await loadCliClassifier(args);
  const { loadFaceDetector } = await import('../../detection/detector.js');
  const { detectEmotions } = await import('../../detection/detect-emotions.js');
  // load the detector before any photo: a missing or broken detector is one error for the whole run
  await loadFaceDetector(detector);
  let failed = 0;
  for (const file of files) {
    let faces: FaceEmotion[];
    try {
      faces = await detectEmotions(file, { classifier, batchSize, minFaceScore, maxFaces, minFaceSize, detector });
    } catch (e) {
      failed++;
      reportError(attachSource(file, e), flag(args.values, 'verbose'));
      continue;
    }
    if (json) out(facesJsonLine(file, faces));
    else if (faces.length === 0) out(`${file}: no face found`);
    else faces.forEach((f, i) => out(faceLine(file, i, f)));
    if (annotate !== undefined) await writeAnnotated(file, faces, annotate);
  }
  return failed > 0 ? EXIT.failure : EXIT.ok;
}

async function run(args: ParsedArgs): Promise<number> {
  const files = args.positionals;
  if (files.length === 0) throw new UsageError('predict needs at least one image file');
  await applyVariantOption(args);
  // folders, --out, --workers, --recursive, --resume: streaming batch mode on worker threads (src/batch)
  const batch = await import('../batch-predict.js');
  if (await batch.isBatchRun(args)) {
    if (args.values.annotate !== undefined) throw new UsageError('--annotate draws on one image file, not in a folder or --out run');
    return batch.runBatchPredict(args);
  }
  const json = flag(args.values, 'json');
  const batchSize = intOption(args.values, 'batch-size', 1) ?? 64;
  const annotate = stringOption(args.values, 'annotate');
  if (annotate !== undefined && files.length !== 1) throw new UsageError(`--annotate draws on one image, got ${files.length}`);
  const crop = flag(args.values, 'crop');
  if (crop && flag(args.values, 'faces')) throw new UsageError('--crop (the whole image is the face) and --faces (find every face) exclude each other');
  if (flag(args.values, 'faces')) return predictFaces(args, files, json, batchSize, annotate);
  const faceOnly = FACE_OPTIONS.find((o) => args.values[o] !== undefined);
  if (crop && faceOnly) throw new UsageError(`--${faceOnly} cannot be used with --crop (which detects no face)`);
  const detect = {
    faces: crop ? 'crop' as const : 'auto' as const,
    minFaceScore: numberOption(args.values, 'min-face-score', 0, 1, true),
    maxFaces: intOption(args.values, 'max-faces', 1),
    minFaceSize: numberOption(args.values, 'min-face-size', MIN_FACE_SIZE),
    detector: stringOption(args.values, 'detector'),
  };
  await startBackend(args);
  const { classifyEmotion, NoFaceError } = await import('../../detection/photo.js');
  const { classifier } = await loadCliClassifier(args);
  let failed = 0;
  const answers: PhotoClassification[] = [];
  const answer = (file: string, c: PhotoClassification) => {
    answers.push(c);
    progress.done(); // a live progress line on the terminal is cleared before the answers
    if (c.lowContrast) process.stderr.write(lowContrastWarning(file));
    out(json ? jsonLine(file, c) : formatPrediction(file, c));
  };
  // more than one forward pass: progress on stderr (a live line on a terminal, else a line every 10 s)
  const progress = stderrProgress('predicting', 10);
  for (let start = 0; start < files.length; start += batchSize) {
    if (start > 0) progress.update(start, files.length);
    const chunk = files.slice(start, start + batchSize);
    let results: PhotoClassification[] | undefined;
    try {
      // the whole chunk in one pass; if any file is bad (or has no face), fall back to one at a time to say which
      results = await classifyEmotion(chunk, { classifier, batchSize, ...detect });
    } catch (e) {
      if (isDetectorFailure(e)) throw e; // the detector cannot load: one error for the whole run
      results = undefined;
    }
    if (results) {
      chunk.forEach((f, i) => answer(f, results![i]));
      continue;
    }
    for (const file of chunk) {
      try {
        answer(file, await classifyEmotion(file, { classifier, ...detect }));
      } catch (e) {
        failed++;
        progress.done();
        if (e instanceof NoFaceError) process.stderr.write(noFaceLine(file));
        else reportError(attachSource(file, e), flag(args.values, 'verbose'));
      }
    }
  }
  progress.done();
  if (annotate !== undefined && answers.length === 1) await writeAnnotated(files[0], [answers[0]], annotate);
  return failed > 0 ? EXIT.failure : EXIT.ok;
}

/**
 * `--annotate`: the image with each answered face's box and label drawn on it, as a PNG (pure JS).
 * An answer without a box (a face crop, or --crop) is drawn around the whole image.
 */
async function writeAnnotated(file: string, faces: readonly (PhotoClassification | FaceEmotion)[], outPath: string): Promise<void> {
  const { toRasters } = await import('../../inference/input.js');
  const { annotateImage, emotionLabel } = await import('../../viz/annotate.js');
  const { encode } = await import('fast-png');
  const [r] = await toRasters(file);
  const px = r.width * r.height;
  const rgba = new Uint8Array(px * 4);
  for (let i = 0; i < px; i++) {
    const s = i * r.channels;
    const gray = r.channels < 3;
    rgba[i * 4] = r.data[s];
    rgba[i * 4 + 1] = r.data[gray ? s : s + 1];
    rgba[i * 4 + 2] = r.data[gray ? s : s + 2];
    rgba[i * 4 + 3] = 255;
  }
  const img = annotateImage({ width: r.width, height: r.height, data: rgba }, faces.map((f) => ({
    box: f.box ?? { x: 0, y: 0, width: r.width, height: r.height }, label: emotionLabel(f),
  })));
  const { writeFile } = await import('node:fs/promises');
  try {
    await writeFile(outPath, encode({ width: img.width, height: img.height, data: rgba, channels: 4, depth: 8 }));
  } catch (e) {
    throw new SourceError(`${outPath}: cannot write the annotated image (${oneLine(e)})`, { cause: e });
  }
}

/** The `predict` command. */
export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict the emotion of face images',
  help: HELP,
  options: {
    weights: { type: 'string' },
    tta: { type: 'boolean' },
    'no-tta': { type: 'boolean' },
    json: { type: 'boolean' },
    'batch-size': { type: 'string' },
    faces: { type: 'boolean' },
    crop: { type: 'boolean' },
    annotate: { type: 'string' },
    'min-face-score': { type: 'string' },
    'max-faces': { type: 'string' },
    'min-face-size': { type: 'string' },
    detector: { type: 'string' },
    precision: { type: 'string' },
    variant: { type: 'string' },
    'class-prior': { type: 'string' },
    out: { type: 'string' },
    recursive: { type: 'boolean' },
    workers: { type: 'string' },
    resume: { type: 'boolean' },
  },
  positionals: true,
  run,
};
