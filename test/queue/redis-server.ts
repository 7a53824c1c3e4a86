/**
 * A throwaway Redis for the queue tests: Debian's `redis-server` on a free loopback port, no
 * persistence (`--save '' --appendonly no`), in a temp folder; stopped (and the folder removed)
 * by `stop()`. `startRedis()` resolves to undefined, with the reason, where redis-server cannot run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running Redis. */
export interface TestRedis {
  port: number;
  url: string;
  /** The redis-server process id (the tests kill only what they started). */
  pid: number;
  stop(): Promise<void>;
}

/** Why redis-server cannot run here, or undefined when it can. */
export function redisUnavailable(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `redis-server cannot run here (${r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status}`}): install it (apt-get install redis-server) to run the queue tests`;
  return undefined;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once `PING` on 127.0.0.1:port answers `+PONG`. */
async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** Starts redis-server; undefined when it cannot run here. */
export async function startRedis(): Promise<TestRedis | undefined> {
  if (redisUnavailable()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'fer-redis-'));
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--loglevel', 'warning',
    ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (d) => { log += d; });
    child.stderr!.on('data', (d) => { log += d; });
    let exited = false;
    child.on('exit', () => { exited = true; });
    const t0 = Date.now();
    while (!exited && Date.now() - t0 < 15_000) {
      if (await ping(port)) {
        const stop = async () => {
          if (!exited) {
            const gone = new Promise<void>((r) => child.once('exit', () => r()));
            child.kill('SIGTERM');
            await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
            if (!exited) child.kill('SIGKILL');
          }
          rmSync(dir, { recursive: true, force: true });
        };
        return { port, url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!exited) child.kill('SIGKILL');
    if (attempt === 2) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${log.trim().slice(-500)}`);
    }
  }
  return undefined;
}
