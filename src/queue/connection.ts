/**
 * Redis connections for the queue: `redis://[user:password@]host:port[/db]` URLs (`rediss://` for
 * TLS) → BullMQ connection options, and a printable form without the password.
 *
 * @packageDocumentation
 */
import type { ConnectionOptions } from 'bullmq';
import { isControl } from '../util/text.js';

/** The default queue name of the worker and the producer. */
export const DEFAULT_QUEUE = 'fer-emotions';

/** A Redis location: a `redis://` / `rediss://` URL, or BullMQ connection options (ioredis options or a client). */
export type RedisConnection = string | ConnectionOptions;

/**
 * `url` with its password (and any user) replaced by `***`, for messages: also for a string that
 * is no valid URL (whatever sits between the scheme and the last `@` is hidden).
 */
export function redactRedisUrl(url: string): string {
  const redacted = url.replace(/^([a-z][a-z0-9+.-]*:\/*)?[^]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
  const printable = [...redacted].map((c) => (isControl(c.charCodeAt(0)) ? '?' : c)).join('');
  return printable.length > 200 ? `${printable.slice(0, 200)}…` : printable;
}

/** The environment variable read for the Redis URL when none is given (`fer-cnn-lstm worker`/`enqueue` without `--redis`). */
export const REDIS_URL_ENV = 'REDIS_URL';

/**
 * Parses a `redis://[user:password@]host[:port][/db]` URL (`rediss://` for TLS) into ioredis options.
 * @throws TypeError for anything else.
 */
export function parseRedisUrl(url: string): { host: string; port: number; db?: number; username?: string; password?: string; tls?: object } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`not a Redis URL: "${redactRedisUrl(url)}" (expected redis://host:port)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new TypeError(`not a Redis URL: "${redactRedisUrl(url)}" (expected redis://host:port or rediss://host:port)`);
  if (!u.hostname) throw new TypeError(`Redis URL "${redactRedisUrl(url)}" has no host`);
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  let db: number | undefined;
  if (path !== '') {
    db = Number(path);
    if (!Number.isInteger(db) || db < 0) throw new TypeError(`Redis URL "${redactRedisUrl(url)}": the database must be a number (redis://host:port/0), got "${redactRedisUrl(path)}"`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    ...(db !== undefined ? { db } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** BullMQ connection options for `connection` (URLs parsed, anything else passed through). */
export function toConnectionOptions(connection: RedisConnection): ConnectionOptions {
  return typeof connection === 'string' ? parseRedisUrl(connection) : connection;
}

/** `redis://host:port/db` without user and password, for messages. */
export function describeConnection(connection: RedisConnection): string {
  if (typeof connection === 'string') {
    try {
      const u = new URL(connection);
      u.username = '';
      u.password = '';
      return u.toString().replace(/\/$/, '');
    } catch {
      return 'redis (bad URL)';
    }
  }
  const o = connection as { host?: string; port?: number; db?: number; options?: { host?: string; port?: number } };
  const host = o.host ?? o.options?.host ?? '127.0.0.1';
  const port = o.port ?? o.options?.port ?? 6379;
  return `redis://${host.includes(':') ? `[${host}]` : host}:${port}${o.db ? `/${o.db}` : ''}`;
}

/** Resolves to `promise`, or rejects after `ms` with `message`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
