import { promises as fs, type NoParamCallback } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fsyncPath } from './atomic-write.js';

// Every fsync the module makes, counted (it still reaches the disk).
const fsyncs = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const counted = (fd: number, callback: NoParamCallback): void => {
    fsyncs.count++;
    real.fsync(fd, callback);
  };
  return { ...real, fsync: counted };
});

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'harness-fsync-'));
  fsyncs.count = 0;
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

// More files than the process syncs at once, their fsyncs started: any fsync asked for next waits.
const FILES = 64;
async function syncManyFiles(): Promise<Promise<void>[]> {
  const files = Array.from({ length: FILES }, (_, i) => path.join(dir, `f${i}`));
  await Promise.all(files.map((f) => fs.writeFile(f, 'x')));
  return files.map(fsyncPath);
}

describe('fsyncPath', () => {
  it('syncs a path once for all the callers that asked while it waited for its turn, and again for a later caller', async () => {
    const busy = await syncManyFiles();
    const folder = Array.from({ length: 5 }, () => fsyncPath(dir));
    await Promise.all([...busy, ...folder]);
    expect(fsyncs.count).toBe(FILES + 1);
    await fsyncPath(dir);
    expect(fsyncs.count).toBe(FILES + 2);
  });

  it('gives every joined caller the error of the fsync it joined', async () => {
    const busy = await syncManyFiles();
    const missing = path.join(dir, 'missing');
    const [first, joined] = [fsyncPath(missing), fsyncPath(missing)];
    expect(joined).toBe(first);
    const results = await Promise.allSettled([first, joined]);
    await Promise.all(busy);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as NodeJS.ErrnoException).code : r.status))).toEqual(['ENOENT', 'ENOENT']);
    expect(fsyncs.count).toBe(FILES);
  });
});
