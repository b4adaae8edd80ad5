import { promises as fs, type NoParamCallback } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fsyncPath } from './atomic-write.js';
import { syncfsReportsErrors } from './filesystem-sync.js';

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
  vi.unstubAllEnvs();
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

// The module as a new process would load it, with HARNESS_SYNC set to `mode`.
async function freshModule(mode: string | undefined): Promise<typeof import('./atomic-write.js')> {
  vi.stubEnv('HARNESS_SYNC', mode);
  vi.resetModules();
  return import('./atomic-write.js');
}

describe('syncPaths', () => {
  it.runIf(syncfsReportsErrors())('makes paths durable with a syncfs on Linux 5.8 or later, fsyncing none of them itself', async () => {
    const { syncPaths } = await freshModule(undefined);
    await fs.writeFile(path.join(dir, 'a'), 'x');
    await syncPaths([path.join(dir, 'a'), dir]);
    expect(fsyncs.count).toBe(0);
  });

  it('fsyncs each path with HARNESS_SYNC=fsync, and reports a missing one', async () => {
    const { syncPaths } = await freshModule('fsync');
    await fs.writeFile(path.join(dir, 'a'), 'x');
    await syncPaths([path.join(dir, 'a'), dir]);
    expect(fsyncs.count).toBe(2);
    await expect(syncPaths([path.join(dir, 'missing')])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a HARNESS_SYNC it does not know, saying what to set', async () => {
    const { syncPaths } = await freshModule('always');
    const err: unknown = await syncPaths([dir]).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HarnessError', kind: 'input', message: 'HARNESS_SYNC is "always"', hint: expect.stringContaining('HARNESS_SYNC=fsync') });
  });
});
