/**
 * Browser example: the facial emotions of real faces with `fer-cnn-lstm`, entirely in the page
 * (TensorFlow.js wasm backend; the model and the face detector are served with the page).
 *
 * - Photos (an upload or a sample, `photo.ts`, `samples.ts`): every face is found, classified
 *   and drawn as a box with its label on the photo; the scores of the most prominent face are
 *   shown; a photo without a face says "no face found".
 * - Webcam (`webcam.ts`): `watchFaces` analyses the live video; each face's box and smoothed
 *   label is drawn over it, with the frame rate achieved and the number of faces.
 *
 * The backend is wasm unless the URL asks for another (`?backend=cpu`); it falls back to cpu
 * when wasm cannot start. (For WebGL, install `@tensorflow/tfjs-backend-webgl`, import it here
 * and pass `backend: 'webgl'`.) `?fps=` sets the most webcam frames analysed per second.
 *
 * @packageDocumentation
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// `?url`: Vite copies each binary into the build and gives its URL (no CDN at run time)
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { loadEmotionModel, setBackend } from 'fer-cnn-lstm';
import { $, clearError, setStatus, showError, type PageModel } from './page.js';
import { hidePhoto, showPhoto } from './photo.js';
import { clearResult } from './result.js';
import { SAMPLES, isSampleName } from './samples.js';
import { startWebcam, stopWebcam, webcamOn } from './webcam.js';

declare const __WEIGHTS_NAME__: string;
/** Whether vite.config.ts embedded the face detector (`detector/blazeface.json`). */
declare const __HAS_DETECTOR__: boolean;

// tfjs picks one binary: SIMD in current browsers, threaded SIMD only on cross-origin-isolated pages
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

/** Webcam frames analysed per second at most: `?fps=` in the URL when it is a positive number, else 10. */
function maxFps(): number {
  const wanted = Number(new URLSearchParams(location.search).get('fps'));
  return wanted > 0 && Number.isFinite(wanted) ? wanted : 10;
}

/** The embedded model (copied into the build by vite.config.ts). An absolute URL: relative strings are file paths to the library. */
const model: PageModel = {
  weights: new URL('weights/model.json', document.baseURI).href,
  // the embedded face detector (BlazeFace)
  detector: __HAS_DETECTOR__ ? new URL('detector/blazeface.json', document.baseURI).href : undefined,
  backend: 'wasm',
};

const fileInput = $<HTMLInputElement>('file');
const startButton = $<HTMLButtonElement>('webcam-start');
const stopButton = $<HTMLButtonElement>('webcam-stop');
const sampleButtons = [...document.querySelectorAll<HTMLButtonElement>('button[data-sample]')];

/** An uploaded file drawn on a canvas of its natural size. @throws Error naming the file when the browser cannot decode it. */
async function fileCanvas(file: File): Promise<HTMLCanvasElement> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${file.name} is not an image this browser can decode`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas;
}

/**
 * Analyses a photo (an upload or a sample) and shows it; stops the webcam first, since both
 * show their result in the same place. A photo that fails clears the previous one's result.
 */
async function analysePhoto(photo: Promise<HTMLCanvasElement>, source: string): Promise<void> {
  if (webcamOn()) onStop();
  clearError();
  clearResult();
  setStatus('analysing');
  try {
    if (await showPhoto(photo, source, model)) setStatus('ready');
  } catch (e) {
    hidePhoto();
    showError(e);
  }
}

/** The Start button: starts the webcam (errors are shown, and the button enabled again). */
async function onStart(): Promise<void> {
  clearError();
  clearResult();
  hidePhoto();
  setStatus('starting webcam');
  startButton.disabled = true;
  try {
    await startWebcam(model, maxFps(), (e) => { onStop(); showError(e); });
    stopButton.disabled = false;
  } catch (e) {
    startButton.disabled = false;
    showError(e);
  }
}

/** The Stop button (and a photo, or an error while watching): stops the webcam. */
function onStop(): void {
  stopWebcam();
  startButton.disabled = !__HAS_DETECTOR__;
  stopButton.disabled = true;
}

/** Starts the backend, loads the model, and enables the inputs. */
async function main(): Promise<void> {
  const wanted = new URLSearchParams(location.search).get('backend') ?? 'wasm';
  try {
    model.backend = await setBackend(wanted);
  } catch (e) {
    console.warn(`backend ${wanted} failed (${(e as Error).message}); using cpu`);
    model.backend = await setBackend('cpu');
  }
  $('backend').textContent = model.backend;
  $('model').textContent = __WEIGHTS_NAME__;
  await loadEmotionModel({ weights: model.weights, backend: model.backend }); // load once now, not on the first photo
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void analysePhoto(fileCanvas(file), `image ${file.name}`);
  });
  for (const button of sampleButtons) {
    const name = button.dataset.sample ?? '';
    if (!isSampleName(name)) throw new Error(`no sample named ${name}`);
    button.addEventListener('click', () => void analysePhoto(SAMPLES[name](), `sample ${name}`));
    button.disabled = false;
  }
  if (__HAS_DETECTOR__) startButton.addEventListener('click', () => void onStart());
  else startButton.title = 'the webcam needs the face detector: weights/face-detector/blazeface.json was not embedded';
  startButton.disabled = !__HAS_DETECTOR__;
  stopButton.addEventListener('click', onStop);
  fileInput.disabled = false;
  setStatus('ready');
}

main().catch(showError);
