import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listImageFiles, unreadableNameWarning } from '../../src/data/image-files.js';
import { listImageFiles as listForQueue } from '../../src/queue/files.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'fer-list-'));

async function all(inputs: string[], recursive = true, onUnreadableName?: (d: string, raw: Buffer) => void): Promise<string[]> {
  const out: string[] = [];
  for await (const f of listImageFiles(inputs, { recursive, onUnreadableName })) out.push(f);
  return out;
}

describe('listImageFiles (the one listing of predict and enqueue)', () => {
  it('ends on symlink loops: each folder once, by device and inode', async () => {
    const d = tmp();
    mkdirSync(join(d, 'a', 'b'), { recursive: true });
    writeFileSync(join(d, 'a', 'one.png'), 'x');
    symlinkSync('..', join(d, 'a', 'b', 'up'));        // loop 1: a/b/up → a
    symlinkSync(d, join(d, 'a', 'root'));              // loop 2: a/root → the top
    const listed = await all([d]);
    expect(listed).toEqual([join(d, 'a', 'one.png')]);
  });

  it('predict and enqueue list a folder the same way: symlinked files and dotfiles included', async () => {
    const d = tmp();
    mkdirSync(join(d, '.hidden'));
    writeFileSync(join(d, '.hidden', 'd.png'), 'x');
    writeFileSync(join(d, '.dot.png'), 'x');
    writeFileSync(join(d, 'real.jpg'), 'x');
    symlinkSync(join(d, 'real.jpg'), join(d, 'link.jpg'));
    const lazily = await all([d]);
    expect(lazily).toEqual(['.dot.png', 'link.jpg', 'real.jpg', '.hidden/d.png'].map((f) => join(d, f)));
    expect(await listForQueue([d])).toEqual(lazily);
  });

  it('reports a file name that is not valid UTF-8 instead of passing on a name that does not exist', async () => {
    const d = tmp();
    writeFileSync(Buffer.concat([Buffer.from(`${d}/caf`), Buffer.from([0xe9]), Buffer.from('.png')]), 'x');
    writeFileSync(join(d, 'ok.png'), 'x');
    const seen: string[] = [];
    expect(await all([d], false, (dir, raw) => seen.push(unreadableNameWarning(dir, raw)))).toEqual([join(d, 'ok.png')]);
    expect(seen).toEqual([`warning: ${d}/caf\\xe9.png: the file name is not valid UTF-8 and is skipped: rename the file to read it`]);
  });

  it('an explicit name that arrived with U+FFFD (bytes not valid UTF-8) is not called plainly missing', async () => {
    const { toGrayImages } = await import('../../src/inference/input.js');
    const d = tmp();
    writeFileSync(Buffer.concat([Buffer.from(`${d}/caf`), Buffer.from([0xe9]), Buffer.from('.png')]), 'x');
    await expect(toGrayImages(join(d, 'caf\uFFFD.png'))).rejects.toThrow(/no such file under this name, which holds bytes that are not valid UTF-8 .*rename the file to read it/);
    await expect(toGrayImages(join(d, 'plain.png'))).rejects.toThrow(/plain\.png: no such file$/);
  });
});
