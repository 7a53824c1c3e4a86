import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicTempOwner, atomicTempPath, writeFileAtomic, writeJsonAtomic } from '../../src/util/atomic-write.js';

const folder = () => mkdtempSync(join(tmpdir(), 'fer-atomic-'));

describe('writeFileAtomic', () => {
  it('creates the file, and replaces an existing one whole (no bytes of a longer old file stay)', async () => {
    const dir = folder();
    const file = join(dir, 'out.json');
    await writeFileAtomic(file, 'a much longer first version of the file');
    expect(readFileSync(file, 'utf8')).toBe('a much longer first version of the file');
    await writeFileAtomic(file, new Uint8Array([0x6e, 0x65, 0x77]));
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('a write that fails part-way leaves the old file as it was and no temporary file', async () => {
    const dir = folder();
    const file = join(dir, 'out.bin');
    writeFileSync(file, 'old');
    async function* failing() {
      yield 'half of the new';
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    await expect(writeFileAtomic(file, failing())).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('a rename that fails (a folder in the way) leaves no temporary file', async () => {
    const dir = folder();
    const file = join(dir, 'taken');
    mkdirSync(join(file, 'inside'), { recursive: true });
    await expect(writeFileAtomic(file, 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(file)).toEqual(['inside']);
  });

  it('writeJsonAtomic writes indented JSON with a final newline', async () => {
    const file = join(folder(), 'h.json');
    await writeJsonAtomic(file, { a: [1] });
    expect(readFileSync(file, 'utf8')).toBe('{\n "a": [\n  1\n ]\n}\n');
  });

  it('names its temporary files <file>.<pid>.tmp, and tells their writer', () => {
    expect(atomicTempPath('/x/checkpoint.json', 42)).toBe('/x/checkpoint.json.42.tmp');
    expect(atomicTempOwner('checkpoint.json.42.tmp', 'checkpoint.json')).toBe(42);
    expect(atomicTempOwner('checkpoint.json.tmp', 'checkpoint.json')).toBeUndefined();
    expect(atomicTempOwner('checkpoint.json.4x.tmp', 'checkpoint.json')).toBeUndefined();
    expect(atomicTempOwner('history.json.42.tmp', 'checkpoint.json')).toBeUndefined();
  });
});
