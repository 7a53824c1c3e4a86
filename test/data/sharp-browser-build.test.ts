/**
 * The optional `sharp` (a native Node addon) is loaded lazily by the Node builds only: the browser
 * build (`dist/*.browser.js` and its chunks) holds no reference to it, so that bundlers never try
 * to resolve it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = join(__dirname, '../../dist');
const built = existsSync(join(DIST, 'index.browser.js'));

describe.skipIf(!built)(`sharp in the builds${built ? '' : ' — skipped: dist/ is not built (npm run build)'}`, () => {
  it('no browser file names the sharp package; the Node build imports it lazily', () => {
    const files = readdirSync(DIST).filter((f) => f.endsWith('.js'));
    const browser = files.filter((f) => f.endsWith('.browser.js') || f.startsWith('browser-'));
    expect(browser.length).toBeGreaterThan(0);
    for (const f of browser) expect(readFileSync(join(DIST, f), 'utf8'), f).not.toMatch(/["'`]sharp["'`]/);
    const node = files.filter((f) => !browser.includes(f)).map((f) => readFileSync(join(DIST, f), 'utf8'));
    expect(node.some((src) => /const spec = "sharp"/.test(src))).toBe(true);
    expect(node.some((src) => /(from|require\(|import\() *["']sharp["']/.test(src))).toBe(false);
  });
});
