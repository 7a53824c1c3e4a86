/**
 * The package installed from a git checkout (`npm install git+https://…/fer-cnn-lstm.git`): dist/
 * is not in git, so npm must build it — it installs a git dependency's devDependencies and runs
 * its `prepare` script (build/prepare.mjs, which runs tsup) before packing it. Without that
 * script the installed package has no dist/ and `require('fer-cnn-lstm')` fails.
 *
 * The checkout is a fresh git repository in a temp folder holding the files this working tree
 * would commit (tracked and untracked, less what .gitignore ignores, less runs/), so the test sees
 * uncommitted changes too. npm installs it over `git+file://` into a fresh app, from npm's cache
 * where it can (`prefer-offline`: the registry is asked only for what the cache lacks). Slow (a
 * few minutes): one `npm install` of the devDependencies and one build. Skipped with a message
 * where git is absent.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../browser/helpers.js';

const run = promisify(execFile);

/** Why this test cannot run here, or undefined. */
function missingGit(): string | undefined {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'git is not installed';
  }
  try {
    execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: REPO, stdio: 'ignore' });
  } catch {
    return `${REPO} is not a git checkout`;
  }
  return undefined;
}

describe('build/prepare.mjs where the devDependencies are left out (no git needed)', () => {
  it('skips the build with a one-line note and exit code 0 when tsup is not installed (npm ci --omit=dev)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'fer-prepare-'));
    try {
      mkdirSync(join(tmp, 'build'));
      cpSync(join(REPO, 'build', 'prepare.mjs'), join(tmp, 'build', 'prepare.mjs'));
      const { stdout, stderr } = await run(process.execPath, ['build/prepare.mjs'], { cwd: tmp });
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^fer-cnn-lstm prepare: tsup is not installed .*dist\/ is not built/)]);
      expect(existsSync(join(tmp, 'dist'))).toBe(false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

const skip = missingGit();
if (skip) console.warn(`[consumer git] skipped: ${skip}`);

/** Copies the files `git add -A` would commit in REPO (less runs/) into `dest`, as one commit of a new repository. */
function snapshotCheckout(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, maxBuffer: 64 << 20 })
    .toString('utf8').split('\0')
    .filter((f) => f && !f.startsWith('runs/') && existsSync(join(REPO, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(REPO, f), join(dest, f));
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: dest, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'snapshot');
}

describe.skipIf(skip !== undefined)(skip ? `install from a git checkout — SKIPPED: ${skip}` : 'npm install git+file://<checkout>', () => {
  let tmp: string;
  let app: string;
  let installed: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fer-consumer-git-'));
    const checkout = join(tmp, 'fer-cnn-lstm');
    snapshotCheckout(checkout);
    app = join(tmp, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-git-app', private: true }, null, 2));
    const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
    try {
      await run('npm', ['install', `git+file://${checkout}`], { cwd: app, env, maxBuffer: 64 << 20 });
    } catch (e) {
      const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
      throw new Error(`npm install git+file://${checkout} failed:\n${`${stdout}${stderr}`.slice(-4000)}`);
    }
    installed = join(app, 'node_modules', 'fer-cnn-lstm');
  }, 600_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the installed package has its build (dist/) and what "files" ships, not the sources', () => {
    for (const f of ['dist/index.cjs', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.cjs', 'weights/model.json', 'package.json']) {
      expect(existsSync(join(installed, f)), f).toBe(true);
    }
    for (const f of ['src', 'test', 'node_modules/tsup']) expect(existsSync(join(installed, f)), f).toBe(false);
  });

  it('require() and import() of the package give the library', async () => {
    const script = (get: string) => `const m = ${get}; console.log(JSON.stringify([typeof m.predictEmotion, typeof m.classifyEmotion]));`;
    const node = (args: string[]) => run(process.execPath, args, { cwd: app, env: { ...process.env, NODE_OPTIONS: '' } });
    const cjs = await node(['-e', script("require('fer-cnn-lstm')")]);
    const esm = await node(['--input-type=module', '-e', script("await import('fer-cnn-lstm')")]);
    for (const r of [cjs, esm]) expect(JSON.parse(r.stdout)).toEqual(['function', 'function']);
  }, 60_000);

  it('the bin runs and names the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(process.execPath, [join(installed, 'dist', 'cli.cjs'), '--version'], { cwd: app });
    expect(stdout.trim()).toBe(version);
  }, 60_000);
});
