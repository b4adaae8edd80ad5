import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, copyFileSync, fsync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { inputError } from '../core/errors.js';
import { FilesystemSync, syncfsReportsErrors } from './filesystem-sync.js';

// Readers never see a half-written file: every write goes to a temp file beside the target and is
// renamed over it. Documents that stand alone (freeze record, schedule, reports) are made durable
// on the spot, directory included. The files of a run are written without syncing and made
// durable all at once when the run is locked (syncPaths, then the lock): until then a crash costs
// at most the attempt, which is kept and redone; a locked run is on disk before its lock is.
// Everything but the syncing is synchronous: creating, writing or renaming a small file costs less
// than a round trip through libuv's thread pool (two thread wake-ups), and the pool is where the
// fsyncs wait for the disk.

/**
 * Writes `file` atomically and durably. `syncedWith`: paths made durable in the same round as the
 * new content, before it takes the file's name (a lock and the files it lists).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { syncedWith?: readonly string[] } = {}): Promise<void> {
  const tmp = writeTemp(file, data);
  try {
    await syncPaths([tmp, ...(options.syncedWith ?? [])]);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameInto(tmp, file);
  await syncPaths([path.dirname(file)]);
}

export async function writeJsonAtomic(file: string, value: unknown, options: { syncedWith?: readonly string[] } = {}): Promise<void> {
  await writeFileAtomic(file, jsonText(value), options);
}

/**
 * Atomic, not yet durable: for a file that is made durable later (the files of a run, when it is
 * locked, see above) or can be rebuilt from a durable one (the record files, from the registry).
 */
export function writeFileUnsynced(file: string, data: string): void {
  renameInto(writeTemp(file, data), file);
}

// The rename that makes a temp file the target; a temp file that could not be renamed is removed.
function renameInto(tmp: string, file: string): void {
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonUnsynced(file: string, value: unknown): void {
  writeFileUnsynced(file, jsonText(value));
}

/**
 * Makes files and folders durable: on Linux 5.8 or later with one syncfs shared with every caller
 * asking at the same time (filesystem-sync.ts); elsewhere, with HARNESS_SYNC=fsync, or should that
 * fail, with an fsync of each (at most FSYNCS_AT_ONCE of the process's at once, see below).
 */
export async function syncPaths(paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  const group = filesystemSync();
  if (group !== undefined && (await group.sync(paths))) return;
  await Promise.all(paths.map(fsyncPath));
}

/**
 * How files are made durable, from HARNESS_SYNC (unset or `syncfs`: a shared syncfs where it
 * reports errors; `fsync`: each path on its own). The CLI checks it before any command runs.
 */
export function syncMode(): 'syncfs' | 'fsync' {
  const mode = process.env.HARNESS_SYNC ?? '';
  if (mode === 'fsync') return 'fsync';
  if (mode === '' || mode === 'syncfs') return syncfsReportsErrors() ? 'syncfs' : 'fsync';
  throw inputError(`HARNESS_SYNC is "${mode}"`, { hint: 'set HARNESS_SYNC=fsync to fsync each file on its own, or leave it unset (one syncfs at a time, on Linux 5.8 or later)' });
}

// Decided on first use: the shared syncfs, or false for an fsync of each path.
let groupSync: FilesystemSync | false | undefined;

function filesystemSync(): FilesystemSync | undefined {
  groupSync ??= syncMode() === 'syncfs' && new FilesystemSync();
  return groupSync || undefined;
}

// fsyncs of a path still waiting for their turn. An fsync covers every change made before it
// starts, so a caller whose path is already waiting joins that fsync instead of queueing another:
// runs locked at the same time share the fsync of the folder that holds them.
const waitingSyncs = new Map<string, Promise<void>>();

/** fsync of one file or folder. */
export function fsyncPath(p: string): Promise<void> {
  const waiting = waitingSyncs.get(p);
  if (waiting !== undefined) return waiting;
  let started = false;
  const sync = syncing(async () => {
    started = true;
    waitingSyncs.delete(p);
    const fd = openSync(p, 'r');
    try {
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
  });
  // Started at once when a place was free; otherwise it waits, and others may join it.
  if (!started) waitingSyncs.set(p, sync);
  return sync;
}

const fsyncAsync = promisify(fsync);

// An fsync waits for the disk on one of libuv's thread pool threads, where every asynchronous file
// operation of the process queues in turn. The disk takes concurrent fsyncs at several times the
// rate of one at a time, and locking a run takes a dozen, so fsyncs may use every pool thread but
// one, which stays free for the rest (the `harness` command starts a pool of 18, cli/harness.cts;
// libuv's default is 4). The bound also bounds the descriptors they hold open.
const FSYNCS_AT_ONCE = Math.max(1, poolThreads() - 1);
let fsyncsRunning = 0;
const fsyncsWaiting: (() => void)[] = [];

// Runs `sync` (an fsync and what it needs open) within the process's bound on concurrent fsyncs.
async function syncing<T>(sync: () => Promise<T>): Promise<T> {
  if (fsyncsRunning >= FSYNCS_AT_ONCE) await new Promise<void>((resolve) => fsyncsWaiting.push(resolve));
  else fsyncsRunning++;
  try {
    return await sync();
  } finally {
    const next = fsyncsWaiting.shift();
    if (next !== undefined) next();
    else fsyncsRunning--;
  }
}

// The size libuv gave its pool, read as libuv reads UV_THREADPOOL_SIZE: 4 when unset, else the
// number it starts with, within 1..1024.
function poolThreads(): number {
  const size = process.env.UV_THREADPOOL_SIZE;
  return size === undefined ? 4 : Math.min(1024, Math.max(1, Number.parseInt(size, 10) || 1));
}

/** Copies the listed files (relative paths) from one folder into a new one. */
export function copyFiles(from: string, to: string, relPaths: readonly string[]): void {
  mkdirSync(to);
  const dirs = new Set(relPaths.map((p) => path.dirname(p)).filter((d) => d !== '.'));
  for (const dir of [...dirs].sort()) mkdirSync(path.join(to, dir), { recursive: true });
  for (const p of relPaths) copyFileSync(path.join(from, p), path.join(to, p), fsConstants.COPYFILE_EXCL);
}

const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

// Unique per process (pid, plus a random tag in case a crashed process left files under a reused
// pid) and per call.
const processTag = `${process.pid}.${randomBytes(4).toString('hex')}`;
let tempCount = 0;

function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${processTag}.${tempCount++}.tmp`);
}

/** Whether a file name is one of the temp files above (left behind only when a process dies mid-write). */
export function isTempFileName(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.\d+\.tmp$/.test(name);
}

// A temp file beside `file` holding `data`, removed again if writing it fails.
function writeTemp(file: string, data: string | Uint8Array): string {
  const tmp = tempPath(file);
  try {
    writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}
