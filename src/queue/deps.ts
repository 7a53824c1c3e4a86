/**
 * Loads the optional peer dependencies of the queue feature, `bullmq` and `ioredis` (BullMQ's
 * Redis client), only when a queue function runs: the rest of the library never imports them.
 *
 * @packageDocumentation
 */
import type * as BullMQ from 'bullmq';

/** `bullmq` (or `ioredis`) is not installed: the message says what to install. */
export class QueueDependencyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueDependencyError';
  }
}

/** The `bullmq` module. */
export type BullMQModule = typeof BullMQ;

/** How the modules are imported (replaceable in tests). */
export interface QueueImporters {
  bullmq: () => Promise<unknown>;
  ioredis: () => Promise<unknown>;
}

const DEFAULT_IMPORTERS: QueueImporters = {
  bullmq: () => import('bullmq'),
  ioredis: () => import('ioredis'),
};

/** Whether `e` says that `name` itself (not one of its own imports) cannot be found. */
function isMissing(e: unknown, name: string): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(msg))
    && (msg.includes(`'${name}'`) || msg.includes(`"${name}"`) || msg.includes(` ${name} `));
}

let loaded: Promise<BullMQModule> | undefined;

/**
 * Imports `bullmq` (and checks that `ioredis` is there too).
 * @param role what needs it, for the message: `'queue worker'` or `'queue producer'`.
 * @throws QueueDependencyError `install bullmq to use the queue worker: npm install bullmq ioredis` when missing.
 */
export async function loadBullmq(role: string, importers: QueueImporters = DEFAULT_IMPORTERS): Promise<BullMQModule> {
  const load = async (): Promise<BullMQModule> => {
    let mod: Record<string, unknown>;
    try {
      mod = (await importers.bullmq()) as Record<string, unknown>;
    } catch (e) {
      if (isMissing(e, 'bullmq')) throw new QueueDependencyError(`install bullmq to use the ${role}: npm install bullmq ioredis`, { cause: e });
      throw e;
    }
    try {
      await importers.ioredis();
    } catch (e) {
      if (isMissing(e, 'ioredis')) throw new QueueDependencyError(`install ioredis (BullMQ's Redis client) to use the ${role}: npm install ioredis`, { cause: e });
      throw e;
    }
    // a CommonJS module imported from ESM may hold its exports under `default`
    const m = (typeof mod.Worker === 'function' ? mod : (mod.default as Record<string, unknown>)) as unknown as BullMQModule;
    if (typeof m?.Worker !== 'function' || typeof m.Queue !== 'function') throw new QueueDependencyError(`the installed bullmq has no Worker/Queue classes: npm install bullmq@^6`);
    return m;
  };
  if (importers !== DEFAULT_IMPORTERS) return load();
  loaded ??= load().catch((e) => { loaded = undefined; throw e; });
  return loaded;
}
