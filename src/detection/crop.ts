/**
 * FER-2013 framing: the square crop given to the emotion model, computed from a face detector's
 * box. FER-2013 faces are tight, roughly square crops from about the forehead/eyebrows to the
 * chin, the ears at the edges. The numbers below were measured on the package's example photo
 * `examples/images/astronaut.png` (512×512), whose FER-style face crop `astronaut-face.png` is
 * x 162–291, y 62–191 (130×130, centre 227, 127). BlazeFace's refined box there is x 172.2,
 * y 73.1, 103.9×103.9 (centre 224.1, 125.0): the crop is 1.251× the box, its centre +0.027 box
 * widths right and +0.019 down. Over ten variants (the photo mirrored, scaled 0.5–1.5×, and two or
 * three copies composed on one canvas) the ratio is 1.22–1.26 (mean 1.246), the x offset +0.02 to
 * +0.03, but −0.004 to −0.010 mirrored (the head is slightly turned: about +0.01 per photo/mirror
 * pair, 1 px for a 100 px box, so 0) and the y offset +0.003 to +0.019 (mean +0.011). Hence 1.25×,
 * centred, 0.01 box heights lower. See
 * `docs/face-detection.md`.
 *
 * @packageDocumentation
 */
import type { Raster } from '../data/image.js';
import type { Box } from './boxes.js';

/** How to turn a detector box into the emotion model's square crop. */
export interface Framing {
  /** Side of the square crop as a multiple of the box's larger side. */
  scale: number;
  /** Horizontal shift of the crop's centre from the box's centre, in box widths (positive: right). */
  offsetX: number;
  /** Vertical shift of the crop's centre from the box's centre, in box heights (positive: down). */
  offsetY: number;
}

/** The FER-2013 framing for BlazeFace boxes, measured on `examples/images/astronaut.png`. */
export const FER_FRAMING: Readonly<Framing> = Object.freeze({ scale: 1.25, offsetX: 0, offsetY: 0.01 });

/**
 * The square FER-style crop for a detector box, in image pixels (not clipped to the image: parts
 * outside are filled by {@link cropRaster}). `width` and `height` are equal.
 */
export function ferCropBox(box: Box, framing: Partial<Framing> = {}): Box {
  const { scale, offsetX, offsetY } = { ...FER_FRAMING, ...framing };
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`framing.scale must be a positive number, got ${scale}`);
  if (!Number.isFinite(offsetX) || !Number.isFinite(offsetY)) throw new RangeError(`framing offsets must be finite numbers, got ${offsetX}, ${offsetY}`);
  if (!(box.width > 0 && box.height > 0)) throw new RangeError(`the box must have a positive size, got ${box.width}×${box.height}`);
  const side = scale * Math.max(box.width, box.height);
  const cx = box.x + box.width / 2 + offsetX * box.width;
  const cy = box.y + box.height / 2 + offsetY * box.height;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/**
 * Copies a region of a raster (rounded to whole pixels, at least 1×1). Pixels outside the image
 * repeat the nearest edge pixel, so a face at the border keeps a plausible background.
 */
export function cropRaster(img: Raster, region: Box): Raster {
  const x0 = Math.round(region.x);
  const y0 = Math.round(region.y);
  const w = Math.max(1, Math.round(region.x + region.width) - x0);
  const h = Math.max(1, Math.round(region.y + region.height) - y0);
  const { width, height, channels, data } = img;
  const out = new Uint8ClampedArray(w * h * channels);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.max(0, y0 + y));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, Math.max(0, x0 + x));
      const s = (sy * width + sx) * channels;
      const d = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = data[s + c];
    }
  }
  return { width: w, height: h, channels, data: out };
}

/**
 * The face's roll in radians: the angle of the line from its right eye to its left eye (the
 * detector's first two key points; the person's right eye is on the image's left), positive when
 * the left eye is lower (the head tilted clockwise in the image).
 */
export function eyeRoll(landmarks: readonly (readonly [number, number])[]): number {
  const [right, left] = landmarks;
  if (!right || !left) return 0;
  return Math.atan2(left[1] - right[1], left[0] - right[0]);
}

/**
 * Like {@link cropRaster}, but the region is first rotated by `angle` radians about its centre
 * (clockwise in image coordinates), so that a face tilted by `angle` comes out upright: the output
 * pixel (x, y) of the square region is read, bilinearly, at the centre plus (x, y) rotated by
 * `angle`. Pixels outside the image repeat the nearest edge pixel. `angle` 0 gives
 * {@link cropRaster}'s copy.
 */
export function rotatedCropRaster(img: Raster, region: Box, angle: number): Raster {
  if (angle === 0) return cropRaster(img, region);
  const w = Math.max(1, Math.round(region.width));
  const h = Math.max(1, Math.round(region.height));
  const { width, height, channels, data } = img;
  const cx = region.x + region.width / 2, cy = region.y + region.height / 2;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const out = new Uint8ClampedArray(w * h * channels);
  const clampX = (x: number): number => (x < 0 ? 0 : x >= width ? width - 1 : x);
  const clampY = (y: number): number => (y < 0 ? 0 : y >= height ? height - 1 : y);
  for (let y = 0; y < h; y++) {
    const dy = ((y + 0.5) / h - 0.5) * region.height;
    for (let x = 0; x < w; x++) {
      const dx = ((x + 0.5) / w - 0.5) * region.width;
      // source position (pixel centres at +0.5)
      const sx = cx + cos * dx - sin * dy - 0.5, sy = cy + sin * dx + cos * dy - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), ax = sx - x0, ay = sy - y0;
      const r0 = clampY(y0) * width, r1 = clampY(y0 + 1) * width, c0 = clampX(x0), c1 = clampX(x0 + 1);
      const p00 = (r0 + c0) * channels, p01 = (r0 + c1) * channels, p10 = (r1 + c0) * channels, p11 = (r1 + c1) * channels;
      const w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay), w10 = (1 - ax) * ay, w11 = ax * ay;
      const d = (y * w + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = data[p00 + c] * w00 + data[p01 + c] * w01 + data[p10 + c] * w10 + data[p11 + c] * w11;
    }
  }
  return { width: w, height: h, channels, data: out };
}
