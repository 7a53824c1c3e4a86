/**
 * Shared helpers of the SVG plots: escaping, number formatting, the colour scale, axis ticks and
 * the document wrapper. Pure string building, no DOM, so the plots work in Node and browsers.
 *
 * @packageDocumentation
 */

/** Font stack used by every plot. */
export const FONT_FAMILY = 'Helvetica, Arial, sans-serif';

/** Escapes text for use in SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Formats a coordinate compactly (at most 2 decimals, no trailing zeros). */
export function num(value: number): string {
  const r = Math.round(value * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Attribute string from a record; `undefined` values are left out, values are escaped. */
export function attrs(values: Record<string, string | number | undefined>): string {
  let out = '';
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    out += ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : v)}"`;
  }
  return out;
}

/** A `<text>` element; `content` is escaped. */
export function textEl(x: number, y: number, content: string, extra: Record<string, string | number | undefined> = {}): string {
  return `<text${attrs({ x, y, ...extra })}>${escapeXml(content)}</text>`;
}

/** Rough width in pixels of `text` in a proportional sans-serif font of `fontSize` (for layout). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** Stops of the sequential colour scale (light to dark blue, like ColorBrewer "Blues"). */
const BLUES: readonly [number, number, number][] = [
  [247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
  [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107],
];

function hex(rgb: readonly number[]): string {
  return '#' + rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');
}

/**
 * Colour of `t` in [0, 1] on a light→dark blue scale (values outside are clamped, NaN is 0).
 * @returns a `#rrggbb` string.
 */
export function colorScale(t: number): string {
  const v = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = v * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = BLUES[i], b = BLUES[i + 1];
  return hex([0, 1, 2].map((c) => a[c] + (b[c] - a[c]) * f));
}

/** Text colour readable on `colorScale(t)`: white on the dark half, near-black on the light half. */
export function textColorOn(t: number): string {
  return Number.isFinite(t) && t > 0.55 ? '#ffffff' : '#1a1a1a';
}

/**
 * "Nice" tick values (steps of 1, 2, 2.5 or 5 × 10ⁿ) covering [min, max], about `count` of them.
 * Returns `[min]` when the range is empty.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const step = niceStep((max - min) / Math.max(1, count));
  const start = Math.ceil(min / step - 1e-9);
  const end = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  for (let i = start; i <= end; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** The nice step (1, 2, 2.5, 5 × 10ⁿ) nearest above `raw`. */
export function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/** Widens [min, max] outwards to multiples of the nice step, so the axis starts and ends on a tick. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (max === min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = niceStep((max - min) / Math.max(1, count));
  return [Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step];
}

/** Formats a tick label: as few decimals as the tick spacing needs. */
export function formatTick(value: number, step: number): string {
  const decimals = step > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  const frac = step > 0 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-9 ? 1 : 0;
  return value.toFixed(decimals + frac);
}

/** A linear map from a data domain to a pixel range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain, [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => (d1 === d0 ? (r0 + r1) / 2 : r0 + (v - d0) * k);
}

/** Wraps plot content in a standalone `<svg>` document with a white background. */
export function svgDocument(width: number, height: number, body: string, title?: string): string {
  const w = Math.ceil(width), h = Math.ceil(height);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ width: w, height: h, viewBox: `0 0 ${w} ${h}` })}`
    + ` font-family="${FONT_FAMILY}" font-size="12">`
    + (title ? `<title>${escapeXml(title)}</title>` : '')
    + `<rect width="100%" height="100%" fill="#ffffff"/>`
    + body
    + '</svg>\n'
  );
}

/** Throws a RangeError unless `value` is a finite number ≥ `min`. */
export function checkPositive(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
    throw new RangeError(`${name} must be a finite number ≥ ${min}, got ${value}`);
  }
}
