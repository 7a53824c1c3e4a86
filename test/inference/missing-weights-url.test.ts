/**
 * Weights that are not where a URL says (a browser app that has not copied them yet): the error
 * names the URL, the HTTP status and what to copy there — for the emotion model and for the face
 * detector. A local HTTP server that answers 404 to everything stands in for the app's server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backends/select.js';
import { FaceDetector } from '../../src/detection/detector.js';
import { EmotionClassifier } from '../../src/inference/classifier.js';

describe('weights missing at a URL', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    await setBackend('wasm');
    server = createServer((_req, res) => { res.statusCode = 404; res.end('not found'); }).listen(0, '127.0.0.1');
    await new Promise((ok) => server.once('listening', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('the emotion model: says where it looked and what to copy', async () => {
    const url = `${base}/weights/model.json`;
    await expect(EmotionClassifier.load({ weights: url })).rejects.toThrow(
      `cannot load the emotion model from ${url}: HTTP 404. Serve the package's weights there: copy node_modules/fer-cnn-lstm/weights/float16/`);
  });

  it('the face detector: says where it looked and what to copy', async () => {
    const url = `${base}/weights/face-detector/blazeface.json`;
    await expect(FaceDetector.load(url)).rejects.toThrow(
      `cannot load the face detector from ${url}: HTTP 404. Serve the package's detector there: copy node_modules/fer-cnn-lstm/weights/face-detector/`);
  });
});
