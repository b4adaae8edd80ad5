import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTempFileName, writeFileAtomic, writeJsonAtomic } from './atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'harness-atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const entries = async (): Promise<string[]> => (await fs.readdir(dir)).sort();

describe('writeFileAtomic', () => {
  it('creates, then replaces the content, leaving no temp file behind', async () => {
    const file = path.join(dir, 'doc.json');
    await writeFileAtomic(file, 'first version, longer than the second\n');
    await writeFileAtomic(file, Buffer.from([0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64]));
    expect(await fs.readFile(file, 'utf8')).toBe('second');
    expect(await entries()).toEqual(['doc.json']);
  });

  it('fails on a missing folder without creating anything', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'doc.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await entries()).toEqual([]);
  });

  it('lets concurrent writers to one file end with exactly one complete content', async () => {
    const file = path.join(dir, 'contended.bin');
    const size = 1024 * 1024;
    // Each writer's content is one repeated byte, so any interleaving shows as mixed bytes.
    const contents = Array.from({ length: 20 }, (_, i) => Buffer.alloc(size, 0x41 + i));
    await Promise.all(contents.map((c) => writeFileAtomic(file, c)));
    const result = await fs.readFile(file);
    expect(result.length).toBe(size);
    expect(contents.some((c) => c.equals(result))).toBe(true);
    expect(await entries()).toEqual(['contended.bin']);
  });
});

describe('isTempFileName', () => {
  it('matches the temp files of atomic writes and nothing a run normally holds', () => {
    expect(isTempFileName('.scorecard.json.4242.0badc0de.0.tmp')).toBe(true);
    expect(isTempFileName('.SHA256SUMS.17.deadbeef.12.tmp')).toBe(true);
    for (const name of ['scorecard.json', 'lock.json', '.notes.tmp', 'scorecard.json.4242.0badc0de.0.tmp', '.scorecard.json.4242.0badc0de.tmp']) expect(isTempFileName(name)).toBe(false);
  });
});

describe('writeJsonAtomic', () => {
  it('writes indented JSON with a final newline', async () => {
    const file = path.join(dir, 'v.json');
    await writeJsonAtomic(file, { b: [1], a: 'x' });
    expect(await fs.readFile(file, 'utf8')).toBe('{\n  "b": [\n    1\n  ],\n  "a": "x"\n}\n');
  });
});

