/**
 * What a queue worker reads for a job (no Redis needed): nothing but the job's own bytes unless
 * allowed, regular files only, redirects checked, one reason for every refused input, and every
 * input capped in bytes and time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputRefusedError, readJobInput, REFUSED_INPUT, resolvePolicy, type ResolvedPolicy } from '../../src/queue/input-policy.js';

let dir: string;
let server: Server;
let other: Server;
let base: string;
let otherBase: string;
let policy: ResolvedPolicy;

function listen(s: Server): Promise<string> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fer-policy-'));
  mkdirSync(join(dir, 'allowed', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'allowed', 'a.png'), 'small image bytes');
  writeFileSync(join(dir, 'allowed', 'big.png'), Buffer.alloc(5000));
  writeFileSync(join(dir, 'secret.txt'), 'outside');
  symlinkSync('/dev/zero', join(dir, 'allowed', 'zero.png'));
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'allowed', 'escape.png'));
  execFileSync('mkfifo', [join(dir, 'allowed', 'fifo.png')]);
  other = createServer((_req, res) => { res.end('other port'); });
  otherBase = await listen(other);
  server = createServer((req, res) => {
    if (req.url === '/ok/a.png') res.end('image bytes');
    else if (req.url === '/ok/redirect-out') { res.writeHead(302, { location: `${otherBase}/secret` }); res.end(); }
    else if (req.url === '/ok/redirect-in') { res.writeHead(302, { location: '/ok/a.png' }); res.end(); }
    else if (req.url === '/ok/huge') {
      // no content-length: streamed until the reader stops
      res.writeHead(200);
      const chunk = Buffer.alloc(1024);
      const pump = () => { while (res.write(chunk)) { /* fill */ } };
      res.on('drain', pump);
      pump();
      req.on('close', () => res.destroy());
    } else if (req.url === '/ok/slow') { /* never answers */ }
    else { res.writeHead(404); res.end('not found'); }
  });
  base = await listen(server);
  policy = await resolvePolicy({ allowPaths: [join(dir, 'allowed')], allowUrls: [`${base}/ok/`], maxInputBytes: 1000, readTimeoutMs: 800 });
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
  other.close();
});

const refused = async (input: Parameters<typeof readJobInput>[0], p = policy) => {
  const e = await readJobInput(input, p).then(() => undefined, (err: unknown) => err);
  expect(e, JSON.stringify(input)).toBeInstanceOf(InputRefusedError);
  return (e as Error).message;
};

describe('readJobInput', () => {
  it('by default reads only the bytes in the job: every path and http URL is refused', async () => {
    const none = await resolvePolicy({});
    expect(await refused({ path: join(dir, 'allowed', 'a.png') }, none)).toBe(REFUSED_INPUT);
    expect(await refused({ url: `${base}/ok/a.png` }, none)).toBe(REFUSED_INPUT);
    expect(await refused({ url: `file://${join(dir, 'allowed', 'a.png')}` }, none)).toBe(REFUSED_INPUT);
    expect(Buffer.from(await readJobInput({ base64: Buffer.from('abc').toString('base64') }, none)).toString()).toBe('abc');
    expect(Buffer.from(await readJobInput({ url: 'data:image/png;base64,YWJj' }, none)).toString()).toBe('abc');
    expect(await refused({ url: 'data:image/png,%E0%A4%A' }, none)).toBe('not a valid data: URL (bad %-escape)');
  });

  it('reads regular files under the allowed folders; anything else gets the same one reason', async () => {
    expect(Buffer.from(await readJobInput({ path: join(dir, 'allowed', 'a.png') }, policy)).toString()).toBe('small image bytes');
    const reasons = new Set<string>();
    for (const path of [
      '/dev/zero', join(dir, 'allowed', 'zero.png'), join(dir, 'allowed', 'fifo.png'), join(dir, 'allowed', 'sub'),
      join(dir, 'allowed', 'missing.png'), join(dir, 'secret.txt'), join(dir, 'allowed', 'escape.png'),
      join(dir, 'allowed', '..', 'secret.txt'), '/etc/hostname',
    ]) reasons.add(await refused({ path }));
    expect([...reasons]).toEqual([REFUSED_INPUT]);
  });

  it('a FIFO does not hold the worker (refused at once)', async () => {
    const t0 = Date.now();
    await refused({ path: join(dir, 'allowed', 'fifo.png') });
    expect(Date.now() - t0).toBeLessThan(2000); // not held until a writer comes
  });

  it('fetches URLs under the allowed prefixes only, redirects included; 404, closed ports and other ports read alike', async () => {
    expect(Buffer.from(await readJobInput({ url: `${base}/ok/a.png` }, policy)).toString()).toBe('image bytes');
    expect(Buffer.from(await readJobInput({ url: `${base}/ok/redirect-in` }, policy)).toString()).toBe('image bytes');
    const reasons = new Set<string>();
    for (const url of [`${base}/ok/redirect-out`, `${base}/ok/missing`, `${otherBase}/secret`, `${base}/secret`, 'http://127.0.0.1:1/ok/', `${base}/ok/../secret`]) {
      reasons.add(await refused({ url }));
    }
    expect([...reasons]).toEqual([REFUSED_INPUT]);
  });

  it('caps the bytes of every kind of input', async () => {
    const limit = "input larger than this worker's limit of 1000 bytes (--max-input-bytes)";
    expect(await refused({ path: join(dir, 'allowed', 'big.png') })).toBe(limit);
    expect(await refused({ url: `${base}/ok/huge` })).toBe(limit);
    expect(await refused({ base64: Buffer.alloc(2000).toString('base64') })).toBe(limit);
    expect(await refused({ url: `data:image/png;base64,${Buffer.alloc(2000).toString('base64')}` })).toBe(limit);
  });

  it('gives up on a slow URL after readTimeoutMs', async () => {
    const t0 = Date.now();
    expect(await refused({ url: `${base}/ok/slow` })).toBe("input not read within this worker's limit of 0.8 s");
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('resolvePolicy names a missing folder and a prefix that is not http(s)', async () => {
    await expect(resolvePolicy({ allowPaths: [join(dir, 'nope')] })).rejects.toThrow(/allowPaths: ".*nope" is not a folder/);
    await expect(resolvePolicy({ allowUrls: ['ftp://x/'] })).rejects.toThrow(/allowUrls: "ftp:\/\/x\/" is not an http\(s\) URL/);
  });
});
