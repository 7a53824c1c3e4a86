/**
 * Browser example: classifies the facial emotion of an uploaded image and of webcam frames with
 * `fer-cnn-lstm`, entirely in the page (TensorFlow.js wasm backend, weights served with the page).
 * In webcam frames the face detector (embedded with the page) finds the face first; frames without
 * a face say so instead of showing a label.
 *
 * The backend is wasm unless the URL asks for another (`?backend=cpu`); it falls back to cpu
 * when wasm cannot start. (For WebGL, install `@tensorflow/tfjs-backend-webgl`, import it here
 * and pass `backend: 'webgl'`.)
 *
 * @packageDocumentation
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// `?url`: Vite copies each binary into the build and gives its URL (no CDN at run time)
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { EMOTIONS, classifyEmotion, detectEmotions, loadEmotionModel, setBackend, type Classification } from 'fer-cnn-lstm';
import { EmotionSmoother } from 'fer-cnn-lstm/video';

declare const __WEIGHTS_NAME__: string;
/** Whether vite.config.ts embedded the face detector (`detector/blazeface.json`). */
declare const __HAS_DETECTOR__: boolean;

// tfjs picks one binary: SIMD in current browsers, threaded SIMD only on cross-origin-isolated pages
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

/** The embedded model (copied into the build by vite.config.ts). An absolute URL: relative strings are file paths to the library. */
const WEIGHTS = new URL('weights/model.json', document.baseURI).href;
/** The embedded face detector (BlazeFace), for webcam frames. */
const DETECTOR = new URL('detector/blazeface.json', document.baseURI).href;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fileInput = $<HTMLInputElement>('file');
const preview = $<HTMLImageElement>('preview');
const video = $<HTMLVideoElement>('video');
const startButton = $<HTMLButtonElement>('webcam-start');
const stopButton = $<HTMLButtonElement>('webcam-stop');
const result = $<HTMLElement>('result');

let backend = 'wasm';

function setStatus(text: string): void {
  $('status').textContent = text;
}

function showError(e: unknown): void {
  $('error').textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  setStatus('error');
}

/** Empties the result (label, confidence, bars), so that nothing of an earlier image or frame stays on show. */
function clearResult(): void {
  $('emotion').textContent = '';
  $('confidence').textContent = '';
  $('source').textContent = '';
  $('scores').replaceChildren();
  result.dataset.source = '';
  delete result.dataset.scores;
  delete result.dataset.face;
}

/** A webcam frame without a face: says so, with no label or scores. */
function renderNoFace(): void {
  clearResult();
  $('emotion').textContent = 'no face detected';
  $('source').textContent = '(webcam)';
  result.dataset.source = 'webcam';
  result.dataset.face = 'none';
  result.dataset.frames = String(Number(result.dataset.frames ?? 0) + 1);
}

/** Shows the label, its confidence and one bar per emotion; mirrors the scores in `data-scores` (for tests). */
function render(c: Classification, source: string): void {
  $('emotion').textContent = c.emotion;
  $('confidence').textContent = `confidence ${(100 * c.confidence).toFixed(1)} %`;
  $('source').textContent = `(${source})`;
  const rows = EMOTIONS.map((e) => {
    const p = c.scores[e];
    const tr = document.createElement('tr');
    if (e === c.emotion) tr.className = 'best';
    tr.innerHTML = `<td>${e}</td><td class="bar"><div class="fill" style="width:${(100 * p).toFixed(1)}%"></div></td>`
      + `<td class="value">${(100 * p).toFixed(1)} %</td>`;
    return tr;
  });
  $('scores').replaceChildren(...rows);
  result.dataset.source = source;
  result.dataset.face = 'found';
  result.dataset.scores = JSON.stringify(c.scores);
  result.dataset.frames = String(Number(result.dataset.frames ?? 0) + (source === 'webcam' ? 1 : 0));
}

/**
 * Draws `src` (its full natural size, or the centre square for video) on a canvas: the library
 * reads an `<img>` at its displayed size, so the CSS-scaled preview itself is not passed.
 */
function toCanvas(src: HTMLImageElement | HTMLVideoElement, square: boolean): HTMLCanvasElement {
  const w = src instanceof HTMLVideoElement ? src.videoWidth : src.naturalWidth;
  const h = src instanceof HTMLVideoElement ? src.videoHeight : src.naturalHeight;
  const side = Math.min(w, h);
  const [sx, sy, sw, sh] = square ? [(w - side) / 2, (h - side) / 2, side, side] : [0, 0, w, h];
  const canvas = document.createElement('canvas');
  canvas.width = sw;
  canvas.height = sh;
  canvas.getContext('2d')!.drawImage(src, sx, sy, sw, sh, 0, 0, sw, sh);
  return canvas;
}

async function classifyFile(file: File): Promise<void> {
  $('error').textContent = '';
  clearResult(); // an image that fails must not leave the previous one's result on show
  setStatus('classifying');
  const url = URL.createObjectURL(file);
  try {
    preview.src = url;
    try {
      await preview.decode();
    } catch {
      throw new Error(`${file.name} is not an image this browser can decode`);
    }
    preview.hidden = false;
    // a photo: its most prominent face is found and classified (a NoFaceError when there is none);
    // without the embedded detector, the upload is classified whole, as a face crop
    const c = await classifyEmotion(toCanvas(preview, false), { weights: WEIGHTS, backend, ...(__HAS_DETECTOR__ ? { detector: DETECTOR } : { faces: 'crop' as const }) });
    render(c, `image ${file.name}`);
    setStatus('ready');
  } catch (e) {
    preview.hidden = true;
    preview.removeAttribute('src');
    showError(e);
  } finally {
    URL.revokeObjectURL(url);
  }
}

let stream: MediaStream | undefined;

async function startWebcam(): Promise<void> {
  $('error').textContent = '';
  clearResult();
  setStatus('starting webcam');
  startButton.disabled = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' }, audio: false });
  } catch (e) {
    startButton.disabled = false;
    return showError(e);
  }
  video.srcObject = stream;
  await video.play();
  stopButton.disabled = false;
  setStatus('webcam');
  void loop();
}

function stopWebcam(): void {
  stream?.getTracks().forEach((t) => t.stop());
  stream = undefined;
  video.srcObject = null;
  startButton.disabled = false;
  stopButton.disabled = true;
  setStatus('ready');
}

/** Each new video frame, whole, while the webcam is on (one per animation frame at most). */
async function* webcamFrames(): AsyncGenerator<HTMLCanvasElement> {
  while (stream) {
    await new Promise((r) => requestAnimationFrame(r));
    if (stream && video.readyState >= 2) yield toCanvas(video, false);
  }
}

/**
 * Classifies webcam frames one after another (each waits for the previous), as fast as the
 * backend goes: the face detector finds the face (`detectEmotions`, the best face only), which is
 * cropped as FER-2013 faces are framed and classified; the label is smoothed over time
 * (`EmotionSmoother`: an exponential moving average of the scores, with hysteresis so that the
 * label does not flicker). A frame without a face shows "no face detected" and restarts the
 * smoothing.
 */
async function loop(): Promise<void> {
  const t0 = performance.now();
  const smoother = new EmotionSmoother({ alpha: 0.3 });
  let frames = 0;
  try {
    for await (const frame of webcamFrames()) {
      const [face] = await detectEmotions(frame, { weights: WEIGHTS, backend, detector: DETECTOR, maxFaces: 1 });
      if (!stream) break;
      frames++;
      const rate = `${(frames / ((performance.now() - t0) / 1000)).toFixed(1)} frames/s`;
      if (!face) {
        smoother.reset();
        renderNoFace();
        $('fps').textContent = `${rate}; no face in this frame`;
        continue;
      }
      render(smoother.update(face.scores), 'webcam');
      $('fps').textContent = `${rate}; this frame alone: ${face.emotion} (face score ${face.faceScore.toFixed(2)})`;
    }
  } catch (e) {
    stopWebcam();
    showError(e);
  }
}

async function main(): Promise<void> {
  const wanted = new URLSearchParams(location.search).get('backend') ?? 'wasm';
  try {
    backend = await setBackend(wanted);
  } catch (e) {
    console.warn(`backend ${wanted} failed (${(e as Error).message}); using cpu`);
    backend = await setBackend('cpu');
  }
  $('backend').textContent = backend;
  $('model').textContent = __WEIGHTS_NAME__;
  await loadEmotionModel({ weights: WEIGHTS, backend }); // load once now, not on the first image
  fileInput.addEventListener('change', () => { if (fileInput.files?.[0]) void classifyFile(fileInput.files[0]); });
  if (__HAS_DETECTOR__) startButton.addEventListener('click', () => void startWebcam());
  else startButton.title = 'the webcam needs the face detector: weights/face-detector/blazeface.json was not embedded';
  startButton.disabled = !__HAS_DETECTOR__;
  stopButton.addEventListener('click', stopWebcam);
  fileInput.disabled = false;
  setStatus('ready');
}

fileInput.disabled = true;
main().catch(showError);
