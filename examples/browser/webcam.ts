/**
 * The webcam: `watchFaces` (from `fer-cnn-lstm/video`) finds, tracks, classifies and smooths the
 * faces of the live `<video>`; after each analysed frame `drawEmotions` (from `fer-cnn-lstm/viz`)
 * draws every face's box and smoothed label on `#overlay`, a transparent canvas over the video,
 * and the page shows the frame rate achieved, the number of faces and the scores of the most
 * prominent face.
 *
 * @packageDocumentation
 */
import { watchFaces, type VideoFace, type VideoFrameResult, type VideoWatch } from 'fer-cnn-lstm/video';
import { drawEmotions } from 'fer-cnn-lstm/viz';
import { FrameRate } from './frame-rate.js';
import { $, setStatus, type PageModel } from './page.js';
import { clearResult, showFaces, showNoFace, type ShownFace } from './result.js';

/** The camera, the watch on it and the rate meter, while the webcam is on. */
let running: { stream: MediaStream; watch: VideoWatch; rate: FrameRate } | undefined;

/** Whether the webcam is on. */
export function webcamOn(): boolean {
  return running !== undefined;
}

/**
 * Starts the camera and watches its faces, analysing up to `maxFps` frames per second (fewer
 * when the backend is slower: each frame waits for the previous one). `onError` gets an error of
 * the analysis, after the webcam has stopped.
 * @throws the camera's error (`NotAllowedError`, `NotFoundError`, …) when it cannot start.
 */
export async function startWebcam(model: PageModel, maxFps: number, onError: (e: unknown) => void): Promise<void> {
  const video = $<HTMLVideoElement>('video');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' }, audio: false });
  video.srcObject = stream;
  try {
    await video.play();
  } catch (e) {
    stream.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    throw e;
  }
  clearResult();
  $('result').dataset.frames = '0';
  const rate = new FrameRate();
  const watch = watchFaces(video, (frame) => showFrame(frame, rate, maxFps), {
    fps: maxFps, weights: model.weights, backend: model.backend, detector: model.detector,
    onError: (e) => { stopWebcam(); onError(e); },
  });
  running = { stream, watch, rate };
  setStatus('webcam');
}

/** Stops the watch and the camera, and clears the overlay. */
export function stopWebcam(): void {
  if (!running) return;
  running.watch.stop();
  running.stream.getTracks().forEach((t) => t.stop());
  running = undefined;
  $<HTMLVideoElement>('video').srcObject = null;
  drawOverlay([]);
  setStatus('ready');
}

/** One analysed frame: the overlay, the frame rate and the result panel. */
function showFrame({ frame, time, faces }: VideoFrameResult, rate: FrameRate, maxFps: number): void {
  if (!running) return;
  const fps = rate.tick(1000 * time); // when the frame was taken: analyses follow one another at this rate
  drawOverlay(faces);
  const shown = faces.map((f): ShownFace => ({ box: f.box, faceScore: f.faceScore, ...f.smoothed }));
  if (shown.length > 0) showFaces('webcam', shown);
  else showNoFace('webcam', 'no face detected');
  const perSecond = fps.toFixed(1);
  $('fps').textContent = `${fps > 0 ? perSecond : '–'} frames/s analysed (limit ${maxFps}) · ${faces.length} face${faces.length === 1 ? '' : 's'} in this frame`;
  Object.assign($('result').dataset, { frames: String(frame + 1), fps: perSecond });
}

/** Draws each face's box and smoothed label on the overlay, a canvas of the video's size. */
function drawOverlay(faces: readonly VideoFace[]): void {
  const video = $<HTMLVideoElement>('video');
  const overlay = $<HTMLCanvasElement>('overlay');
  if (overlay.width !== video.videoWidth || overlay.height !== video.videoHeight) {
    overlay.width = video.videoWidth; // also clears it
    overlay.height = video.videoHeight;
  }
  overlay.getContext('2d')!.clearRect(0, 0, overlay.width, overlay.height);
  drawEmotions(overlay, faces.map((f) => ({ box: f.box, ...f.smoothed })));
}
