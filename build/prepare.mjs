/**
 * npm's `prepare` script: builds dist/ (`tsup`) when the package is installed from a git checkout
 * (`npm install git+https://…/fer-cnn-lstm.git`; npm installs the devDependencies of a git
 * dependency and runs its `prepare` before packing it), on a plain `npm install` / `npm ci` in a
 * checkout, and before `npm pack` / `npm publish`. Installs from the registry or from a tarball
 * ship dist/ and never run it.
 *
 * Where the devDependencies are left out (`npm ci --omit=dev` in a checkout), tsup is absent:
 * the build is skipped with a one-line note instead of failing the install.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsup;
try {
  tsup = require.resolve('tsup/dist/cli-default.js');
} catch {
  console.warn('fer-cnn-lstm prepare: tsup is not installed (devDependencies omitted), dist/ is not built (install the devDependencies, then `npm run build`)');
  process.exit(0);
}
const { status, signal } = spawnSync(process.execPath, [tsup, '--silent'], { stdio: 'inherit' });
if (status !== 0) {
  console.error(`fer-cnn-lstm prepare: the build (tsup) failed (${signal ?? `exit code ${status}`})`);
  process.exit(status || 1);
}
