/**
 * What `npm pack` ships (issue 13.8): the license and the notices of the bundled packages, every
 * file that package.json "exports" names, a browser build without Node built-ins, and no source
 * maps (README, "Packaging": the bundles are unminified and readable, the maps were 1.3 MB of the
 * package). Needs `npm run build` first (skipped with a message otherwise).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../browser/helpers.js';
import { missingBuild, npmPack, type PackResult } from './consumer.js';

/** Packages that tsup bundles into dist/ (tsup.config.ts `noExternal`), whose notices must ship. */
const BUNDLED = ['fast-png', 'iobuffer', 'fflate'];

const noBuild = missingBuild();
if (noBuild) console.warn(`[pack] skipped: ${noBuild}`);

/** Every file path named in an "exports" value (conditions nested). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

describe('the license files (no build needed)', () => {
  it('LICENSE is MIT, held by the fer-cnn-lstm contributors, 2026, as package.json says', () => {
    const license = readFileSync(join(REPO, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 fer-cnn-lstm contributors\n/);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).license).toBe('MIT');
  });

  it('THIRD_PARTY_NOTICES holds the license text of every bundled package', () => {
    const notices = readFileSync(join(REPO, 'THIRD_PARTY_NOTICES'), 'utf8');
    for (const name of BUNDLED) {
      const { version } = JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(notices, name).toContain(`${name} ${version} `);
      expect(notices, name).toContain(readFileSync(join(REPO, 'node_modules', name, 'LICENSE'), 'utf8').trim());
    }
  });
});

describe.skipIf(noBuild !== undefined)(noBuild ? `npm pack — SKIPPED: ${noBuild}` : 'npm pack --dry-run', () => {
  let packed: PackResult;
  let paths: Set<string>;

  beforeAll(async () => {
    packed = await npmPack({ dryRun: true });
    paths = new Set(packed.files.map((f) => f.path));
    const maps = packed.files.filter((f) => f.path.endsWith('.map'));
    console.log(`[pack] ${packed.filename}: ${packed.files.length} files, ${(packed.size / 1e6).toFixed(2)} MB packed, `
      + `${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked; source maps: ${maps.length}`);
  });

  it('ships LICENSE, THIRD_PARTY_NOTICES, README and CHANGELOG', () => {
    for (const file of ['LICENSE', 'THIRD_PARTY_NOTICES', 'README.md', 'CHANGELOG.md', 'package.json']) expect(paths, file).toContain(file);
  });

  it('ships the face detector (weights/face-detector/blazeface.json and .bin) and its notice', () => {
    for (const file of ['weights/face-detector/blazeface.json', 'weights/face-detector/blazeface.bin']) expect(paths, file).toContain(file);
    expect(readFileSync(join(REPO, 'THIRD_PARTY_NOTICES'), 'utf8')).toMatch(/BlazeFace[\s\S]*Apache License[\s\S]*Version 2\.0/);
  });

  it('ships no source maps', () => {
    expect([...paths].filter((p) => p.endsWith('.map'))).toEqual([]);
    for (const p of paths) {
      if (/\.(c?js)$/.test(p)) expect(readFileSync(join(REPO, p), 'utf8'), p).not.toMatch(/\/\/# sourceMappingURL=/);
    }
  });

  it('ships every file that "exports", "main", "module", "types", "browser" and "bin" name', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
    const targets = [...exportTargets(pkg.exports), ...exportTargets([pkg.main, pkg.module, pkg.types, pkg.browser, pkg.bin])];
    expect(targets.length).toBeGreaterThan(20);
    for (const t of targets) expect(paths, t).toContain(t.replace(/^\.\//, ''));
  });

  it('the Node ESM build require()s TensorFlow.js rather than importing it (build/require-tfjs.ts)', () => {
    const esm = [...paths].filter((p) => p.startsWith('dist/') && p.endsWith('.js') && !/\.browser\.js$|^dist\/browser-/.test(p));
    let shims = 0;
    for (const p of esm) {
      const code = readFileSync(join(REPO, p), 'utf8');
      expect(code, p).not.toMatch(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']@tensorflow\/tfjs-(core|layers|backend-cpu|backend-wasm|converter)["']/);
      shims += code.match(/createRequire\(import\.meta\.url\)\("@tensorflow\/tfjs-/g)?.length ?? 0;
    }
    expect(shims).toBeGreaterThanOrEqual(4);
  });

  it('ships no sources, tests or local folders', () => {
    expect([...paths].filter((p) => /^(src|test|bench|scripts|runs|examples|docs|build|node_modules)\//.test(p))).toEqual([]);
  });

  it('the browser build imports no Node built-in and computes no asset URL from import.meta.url', () => {
    const browserFiles = [...paths].filter((p) => p.startsWith('dist/') && p.endsWith('.js') && !/\.(cjs|d\.ts)$/.test(p));
    // the browser build: the *.browser.js entries and the chunks they reach
    const reached = new Set<string>();
    const visit = (p: string) => {
      if (reached.has(p)) return;
      reached.add(p);
      const code = readFileSync(join(REPO, p), 'utf8');
      // a computed URL against import.meta.url looks like an unresolvable asset to webpack (build/computed-asset-urls.ts)
      expect(code, p).not.toMatch(/new URL\((?!\s*['"])[^;]*?,\s*import\.meta\.url\s*\)/);
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)) {
        const spec = m[1];
        expect(spec, `${p} imports ${spec}`).not.toMatch(/^node:|^(fs|fs\/promises|path|os|url|crypto|module|worker_threads|child_process|zlib|util|stream)$/);
        if (spec.startsWith('./')) visit(`dist/${spec.slice(2)}`);
      }
    };
    for (const p of browserFiles.filter((f) => f.endsWith('.browser.js'))) visit(p);
    expect(reached.size).toBeGreaterThan(6);
  });
});
