/**
 * The Redis URL of `worker` and `enqueue`: `--redis <url>`, or the `REDIS_URL` environment
 * variable (which keeps a password out of the process list that `ps` shows), checked before
 * anything connects; a password never appears in an error.
 *
 * @packageDocumentation
 */
import { stringOption, UsageError, type ParsedArgs } from './args.js';

/** The Redis URL from `--redis` or `REDIS_URL`. @throws UsageError when neither is given, or the URL is not a Redis URL (password hidden). */
export async function redisOption(args: ParsedArgs): Promise<string> {
  const { parseRedisUrl, REDIS_URL_ENV } = await import('../queue/connection.js');
  const given = stringOption(args.values, 'redis');
  const env = process.env[REDIS_URL_ENV];
  const url = given !== undefined && given !== '' ? given : env !== undefined && env !== '' ? env : undefined;
  const from = given !== undefined && given !== '' ? '--redis' : REDIS_URL_ENV;
  if (url === undefined) throw new UsageError(`--redis is required (or set ${REDIS_URL_ENV}=redis://host:port, which keeps a password out of the process list)`);
  try {
    parseRedisUrl(url);
  } catch (e) {
    throw new UsageError(`${from}: ${(e as Error).message}`);
  }
  return url;
}
