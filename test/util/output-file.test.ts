import { describe, expect, it } from 'vitest';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockOutput, openOutput, refuseOutputIsInput } from '../../src/util/output-file.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'fer-outfile-'));

describe('refuseOutputIsInput', () => {
  it('refuses the same file by device and inode: as given, through a symlink, a hard link', async () => {
    const d = tmp();
    const a = join(d, 'a.png');
    writeFileSync(a, 'x');
    symlinkSync(a, join(d, 'sym.png'));
    linkSync(a, join(d, 'hard.png'));
    for (const out of [a, join(d, 'sym.png'), join(d, 'hard.png'), join(d, '.', 'a.png')]) {
      await expect(refuseOutputIsInput(out, { inputs: [a] }), out).rejects.toThrow(/the output is also an input/);
    }
    await expect(refuseOutputIsInput(join(d, 'r.jsonl'), { inputs: [a] })).resolves.toBeUndefined();
  });

  it('refuses a file a folder input would list (recursive: in a subfolder too), not other names', async () => {
    const d = tmp();
    mkdirSync(join(d, 'sub'));
    const listed = (n: string) => n.endsWith('.png');
    await expect(refuseOutputIsInput(join(d, 'new.png'), { inputs: [d], listed })).rejects.toThrow(/also an input/);
    await expect(refuseOutputIsInput(join(d, 'r.jsonl'), { inputs: [d], listed })).resolves.toBeUndefined();
    await expect(refuseOutputIsInput(join(d, 'sub', 'x.png'), { inputs: [d], listed })).resolves.toBeUndefined();
    await expect(refuseOutputIsInput(join(d, 'sub', 'x.png'), { inputs: [d], listed, recursive: true })).rejects.toThrow(/also an input/);
  });

  it('never refuses a device', async () => {
    await expect(refuseOutputIsInput('/dev/null', { inputs: ['/dev/null'] })).resolves.toBeUndefined();
  });
});

describe('openOutput', () => {
  it.skipIf(!existsSync('/dev/full'))('throws ENOSPC naming the file on the first write that fails', async () => {
    const sink = await openOutput('/dev/full');
    await expect(sink.write('row\n')).rejects.toThrow('/dev/full: cannot write the output (ENOSPC: no space left on the device)');
    await expect(sink.close()).rejects.toThrow(/ENOSPC/);
  });

  it('appends after keepBytes, and holds <file>.lock until closed', async () => {
    const d = tmp();
    const f = join(d, 'r.jsonl');
    writeFileSync(f, 'one\ntwo\ncut');
    const sink = await openOutput(f, { append: true, keepBytes: 8 });
    expect(readFileSync(`${f}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await sink.write('three\n');
    await sink.close();
    expect(readFileSync(f, 'utf8')).toBe('one\ntwo\nthree\n');
    expect(existsSync(`${f}.lock`)).toBe(false);
  });

  it('a live holder of the lock refuses a second writer', async () => {
    const d = tmp();
    const f = join(d, 'r.csv');
    const release = await lockOutput(f);
    // another process's view: same pid file, held by a live process (this one, seen from a child would be alive too)
    writeFileSync(`${f}.lock`, `${process.ppid}\n`);
    await expect(openOutput(f)).rejects.toThrow(new RegExp(`another run \\(process ${process.ppid}\\) is writing this output`));
    release();
  });
});
