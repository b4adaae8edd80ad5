import * as realFs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// A disk that fills up in the middle of an append: the write gets part of its text out, then fails
// with ENOSPC. The file system is real; only writeFileSync to the registry is cut short.
const full = { on: false };
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeFileSync: typeof fs.writeFileSync = (target, data, options) => {
    if (full.on && typeof target === 'number' && typeof data === 'string') {
      fs.writeSync(target, data.slice(0, Math.floor(data.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    fs.writeFileSync(target, data, options);
  };
  return { ...fs, default: { ...fs, writeFileSync }, writeFileSync };
});

const { appendEntry } = await import('./registry.js');
const { readEntries } = await import('./registry-read.js');

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await realFs.promises.mkdtemp(path.join(tmpdir(), 'harness-registry-full-'));
  file = path.join(dir, 'registry.jsonl');
});
afterEach(async () => {
  full.on = false;
  await realFs.promises.rm(dir, { recursive: true, force: true });
});

const deviation = (reason: string) => ({ kind: 'other' as const, who: 'test', reason });

describe('an append on a full disk', () => {
  it('fails saying the disk is full, and leaves the registry as it was: no part of a line', async () => {
    await appendEntry(file, 'exp-1', 'deviation', deviation('before'));
    const before = realFs.readFileSync(file, 'utf8');
    full.on = true;
    await expect(appendEntry(file, 'exp-1', 'deviation', deviation('lost'))).rejects.toThrow(`no space left on the disk holding ${file}: nothing was registered`);
    expect(realFs.readFileSync(file, 'utf8')).toBe(before);
    full.on = false;
    await appendEntry(file, 'exp-1', 'deviation', deviation('after'));
    expect((await readEntries(file)).map((e) => (e.data as { reason: string }).reason)).toEqual(['before', 'after']);
  });
});
