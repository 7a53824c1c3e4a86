/**
 * How a saved model came to be, traced back from its folder through the files it and its runs
 * wrote: a weight average (`fer-cnn-lstm average`) names what it averages (`averageOf` in
 * its model.json), a deepened model (`fer-cnn-lstm deepen`) the model it deepens (`deepenedFrom`), a checkpoint (`<run>/best`, `<run>/epoch-N`, `<run>/snap/epoch-N`) belongs to a
 * run whose `checkpoint.json` records its command, and a command with `--from <dir>` started from
 * that model. Used by the release script to write the whole chain, with the commands, into the
 * model card.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** One model in the chain. */
export type LineageNode =
  | { kind: 'average'; dir: string; command?: string; of: LineageNode[]; seen?: boolean }
  | { kind: 'deepened'; dir: string; command?: string; convsPerBlock?: number[]; from: LineageNode }
  | {
    kind: 'checkpoint'; dir: string; run: string; epoch: number; epochsTrained: number; seconds: number;
    command?: string; from?: LineageNode; seen?: boolean;
  }
  | { kind: 'unknown'; dir: string };

interface RunRecord { epoch: number; bestEpoch: number; history: { seconds: number }[]; config?: { command?: unknown } }

/** A recorded command of the scripts that became CLI verbs, as the CLI verb (same options). */
export function asCliCommand(command: string | undefined): string | undefined {
  return command?.replace(/^npx tsx scripts\/average-weights\.ts\b/, 'fer-cnn-lstm average').replace(/^npx tsx scripts\/deepen\.ts\b/, 'fer-cnn-lstm deepen');
}

const readJson = async <T>(path: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

/**
 * Traces `dir` back. Each run and each average appears once in full; later mentions are marked
 * `seen` (one can be reached twice, e.g. when an average mixes one of a run's epochs with a model
 * trained from it).
 */
export async function traceLineage(dir: string, seen = new Set<string>(), depth = 0): Promise<LineageNode> {
  const clean = dir.replace(/\/+$/, '');
  if (depth > 32) return { kind: 'unknown', dir: clean };
  const meta = (await readJson<{ userDefinedMetadata?: { averageOf?: string[]; deepenedFrom?: string; convsPerBlock?: number[]; command?: string } }>(`${clean}/model.json`))?.userDefinedMetadata;
  if (meta?.deepenedFrom) {
    return { kind: 'deepened', dir: clean, command: asCliCommand(meta.command), convsPerBlock: meta.convsPerBlock, from: await traceLineage(meta.deepenedFrom, seen, depth + 1) };
  }
  if (meta?.averageOf?.length) {
    if (seen.has(clean)) return { kind: 'average', dir: clean, of: [], seen: true };
    seen.add(clean);
    const of: LineageNode[] = [];
    for (const part of meta.averageOf) of.push(await traceLineage(part, seen, depth + 1));
    return { kind: 'average', dir: clean, command: asCliCommand(meta.command) ?? `fer-cnn-lstm average --out ${clean} ${meta.averageOf.join(' ')}`, of };
  }
  // a checkpoint: <run>/best, <run>/epoch-N or <run>/snap/epoch-N
  const name = basename(clean);
  const epochN = /^epoch-(\d+)$/.exec(name);
  const run = basename(dirname(clean)) === 'snap' && epochN ? dirname(dirname(clean)) : dirname(clean);
  const record = name === 'best' || epochN ? await readJson<RunRecord>(`${run}/checkpoint.json`) : undefined;
  if (!record) return { kind: 'unknown', dir: clean };
  const at = { run, epoch: epochN ? Number(epochN[1]) : record.bestEpoch };
  const command = typeof record.config?.command === 'string' ? record.config.command : undefined;
  const node: LineageNode = {
    kind: 'checkpoint', dir: clean, run: at.run, epoch: at.epoch, epochsTrained: record.epoch,
    seconds: record.history.reduce((s, h) => s + h.seconds, 0), command,
  };
  if (seen.has(at.run)) return { ...node, seen: true };
  seen.add(at.run);
  const from = command ? /--from\s+(\S+)/.exec(command)?.[1] : undefined;
  return from ? { ...node, from: await traceLineage(from, seen, depth + 1) } : node;
}

/** Every distinct run in the chain, once: its folder, epochs trained and wall time. */
export function lineageRuns(node: LineageNode, out = new Map<string, { epochs: number; seconds: number }>()): Map<string, { epochs: number; seconds: number }> {
  if (node.kind === 'average') for (const part of node.of) lineageRuns(part, out);
  if (node.kind === 'deepened') lineageRuns(node.from, out);
  if (node.kind === 'checkpoint') {
    if (!out.has(node.run)) out.set(node.run, { epochs: node.epochsTrained, seconds: node.seconds });
    if (node.from) lineageRuns(node.from, out);
  }
  return out;
}

/** The chain as a nested Markdown list, newest first. */
export function lineageMarkdown(node: LineageNode, indent = ''): string {
  if (node.kind === 'unknown') return `${indent}- \`${node.dir}\` (no record of how it was made)`;
  if (node.kind === 'average') {
    if (node.seen) return `${indent}- \`${node.dir}\` (that average is above)`;
    return [`${indent}- \`${node.dir}\`: the weight average of ${node.of.length} models, \`${node.command}\``,
      ...node.of.map((p) => lineageMarkdown(p, `${indent}  `))].join('\n');
  }
  if (node.kind === 'deepened') {
    const depth = node.convsPerBlock ? ` to ${node.convsPerBlock.join('/')} convolutions per block` : '';
    return [`${indent}- \`${node.dir}\`: deepened${depth}, the new convolutions starting as the identity${node.command ? `, \`${node.command}\`` : ''}, from`,
      lineageMarkdown(node.from, `${indent}  `)].join('\n');
  }
  const head = `${indent}- \`${node.dir}\`: epoch ${node.epoch} of \`${node.run}\``;
  if (node.seen) return `${head} (that run is above)`;
  const line = `${head} (${node.epochsTrained} epochs trained, ${(node.seconds / 3600).toFixed(2)} h)${node.command ? `, \`${node.command}\`` : ''}`;
  return node.from ? `${line}, starting from\n${lineageMarkdown(node.from, `${indent}  `)}` : line;
}
