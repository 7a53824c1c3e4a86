/**
 * The package's own `package.json` and folder, found from this module's location (works from
 * `src/cli/` under tsx and from the bundled `dist/`).
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the CLI needs from `package.json`. */
export interface PackageInfo {
  name: string;
  version: string;
  /** The package's root folder. */
  root: string;
}

let cached: PackageInfo | undefined;

/** Reads the nearest `package.json` named `fer-cnn-lstm` above this module. */
export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'fer-cnn-lstm') return (cached = { name: pkg.name, version: pkg.version ?? '0.0.0', root: dir });
      } catch {
        // not ours: keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) return (cached = { name: 'fer-cnn-lstm', version: 'unknown', root: dirname(fileURLToPath(import.meta.url)) });
    dir = up;
  }
}
