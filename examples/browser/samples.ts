/**
 * Sample photos, for trying the page without a photo of one's own: the portrait and its face
 * crop from `examples/images/` (public domain, bundled by Vite as assets), and photos made from
 * them at run time: a 48×48 face crop, a group of three, and a photo without a face.
 *
 * @packageDocumentation
 */
import portraitUrl from '../images/astronaut.png';
import faceUrl from '../images/astronaut-face.png';

/** The sample photos, by the name that their buttons carry (`data-sample`). */
export const SAMPLES = {
  /** The 512×512 portrait (`astronaut.png`): one face. */
  portrait: () => imageCanvas(portraitUrl),
  /** Its face crop (`astronaut-face.png`, 130×130): larger than a face crop, so the detector looks for the face. */
  face: () => imageCanvas(faceUrl),
  /** The face crop at 48×48, as FER-2013's faces: classified as it is, without the detector. */
  crop48: async () => resized(await imageCanvas(faceUrl), 48, 48),
  /** Three copies of the portrait at different scales, one mirrored: three faces. */
  group: async () => group(await imageCanvas(portraitUrl)),
  /** A colour gradient: no face. */
  noface: async () => gradient(480, 320),
} satisfies Record<string, () => Promise<HTMLCanvasElement>>;

/** A sample's name. */
export type SampleName = keyof typeof SAMPLES;

/** Whether `name` is a sample's name. */
export function isSampleName(name: string): name is SampleName {
  return Object.hasOwn(SAMPLES, name);
}

/** A new canvas of `width` × `height` and its 2D context. */
function canvas(width: number, height: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return [c, c.getContext('2d')!];
}

/** The image at `url`, drawn on a canvas of its natural size. */
async function imageCanvas(url: string): Promise<HTMLCanvasElement> {
  const img = new Image();
  img.src = url;
  await img.decode();
  const [c, ctx] = canvas(img.naturalWidth, img.naturalHeight);
  ctx.drawImage(img, 0, 0);
  return c;
}

/** `src` scaled to `width` × `height`. */
function resized(src: HTMLCanvasElement, width: number, height: number): HTMLCanvasElement {
  const [c, ctx] = canvas(width, height);
  ctx.drawImage(src, 0, 0, width, height);
  return c;
}

/**
 * A group photo made of `portrait`: copies at 1, 0.5 (mirrored) and 0.7 times its size side by
 * side on a light background, aligned at the bottom. Each face is well above the detector's
 * smallest (about 1/22 of the photo's longer side); the largest copies are at the edges, where a
 * face's label has room within the photo.
 */
function group(portrait: HTMLCanvasElement): HTMLCanvasElement {
  const scales = [1, 0.5, 0.7];
  const { width: w, height: h } = portrait;
  const [c, ctx] = canvas(Math.round(scales.reduce((a, s) => a + s, 0) * w), h);
  ctx.fillStyle = '#eeeeee';
  ctx.fillRect(0, 0, c.width, c.height);
  let x = 0;
  scales.forEach((s, i) => {
    const sw = Math.round(s * w), sh = Math.round(s * h);
    ctx.save();
    if (i === 1) { // mirrored: flip about the copy's vertical axis
      ctx.translate(x + sw, 0);
      ctx.scale(-1, 1);
      ctx.drawImage(portrait, 0, h - sh, sw, sh);
    } else {
      ctx.drawImage(portrait, x, h - sh, sw, sh);
    }
    ctx.restore();
    x += sw;
  });
  return c;
}

/** A diagonal colour gradient of `width` × `height`: a photo with no face. */
function gradient(width: number, height: number): HTMLCanvasElement {
  const [c, ctx] = canvas(width, height);
  const g = ctx.createLinearGradient(0, 0, width, height);
  g.addColorStop(0, '#2b5876');
  g.addColorStop(0.5, '#f0c27b');
  g.addColorStop(1, '#4b1248');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, width, height);
  return c;
}
