// Appending to the registry, one process's appends batched under its lock, with the record files
// kept in step. Reading it is in registry-read.ts.
import { closeSync, fstatSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { jsonDigest, type Digest } from '../core/digest.js';
import type { EntryOf } from '../core/entries.js';
import { inputError } from '../core/errors.js';
import type { RegistryEntry, RegistryEntryType } from '../core/types/index.js';
import { syncPaths } from './atomic-write.js';
import { lockLost } from './lock-lost.js';
import { appendRecordFiles, recordFilesCover, rewriteRecordFiles } from './record-files.js';
import { lastEntry, readEntries } from './registry-read.js';
import path from 'node:path';

type EntryData<T extends RegistryEntryType> = EntryOf<T>['data'];

// Callers in one process queue here first, in arrival order (FIFO), so they never spin on the
// file lock against each other and appends keep the order in which runs were started.
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` holding the registry's lock: an in-process queue, then proper-lockfile (a
 * `<file>.lock` directory) against other harness processes, so appends never interleave and the
 * record files are rewritten by one process at a time. (Slots are claimed elsewhere:
 * pipeline/claims.ts.)
 */
export async function withRegistryLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(file) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    const release = await lockfile.lock(file, {
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: 400, minTimeout: 5, maxTimeout: 100, factor: 1.5 },
      onCompromised: lockLost('the registry lock', `${file}.lock`),
    });
    try {
      return await fn();
    } finally {
      await release();
    }
  });
  queues.set(file, run);
  try {
    return await run;
  } finally {
    if (queues.get(file) === run) queues.delete(file);
  }
}

export interface NewEntry<T extends RegistryEntryType = RegistryEntryType> {
  type: T;
  data: EntryData<T>;
  at?: Date;
}

/** One new entry of any type, its data typed by its type. */
type AnyNewEntry = { [T in RegistryEntryType]: NewEntry<T> }[RegistryEntryType];

interface Pending {
  experiment: string;
  entry: NewEntry;
  resolve: (e: RegistryEntry) => void;
  reject: (err: unknown) => void;
}

const pending = new Map<string, Pending[]>();
const flushing = new Set<string>();

/**
 * Appends one hash-chained entry; returns it as written. Appends from one process are group
 * committed: those that arrive while a write is in flight go out together, under one lock and one
 * fsync, in arrival order, so many concurrent runs do not queue on the file lock one by one.
 */
export async function appendEntry<T extends RegistryEntryType>(file: string, experiment: string, type: T, data: EntryData<T>): Promise<RegistryEntry> {
  const [written] = await appendEntries(file, experiment, [{ type, data } as AnyNewEntry]);
  return written!;
}

/**
 * Appends entries that belong together (a lock and the violations it found) in one write, so a
 * crash leaves all of them or none; in order, group committed with other appends as appendEntry.
 */
export function appendEntries(file: string, experiment: string, entries: readonly AnyNewEntry[]): Promise<RegistryEntry[]> {
  const queue = pending.get(file) ?? [];
  const written = entries.map((entry) => new Promise<RegistryEntry>((resolve, reject) => queue.push({ experiment, entry: entry as NewEntry, resolve, reject })));
  pending.set(file, queue);
  void flush(file);
  return Promise.all(written);
}

async function flush(file: string): Promise<void> {
  if (flushing.has(file)) return;
  flushing.add(file);
  try {
    for (let batch = take(file); batch.length > 0; batch = take(file)) {
      try {
        const written = await withRegistryLock(file, () => appendEntriesLocked(file, batch.map((p) => ({ experiment: p.experiment, ...p.entry }))));
        batch.forEach((p, i) => p.resolve(written[i]!));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  } finally {
    flushing.delete(file);
  }
}

function take(file: string): Pending[] {
  const queue = pending.get(file) ?? [];
  pending.delete(file);
  return queue;
}

/** Append for callers that already hold the lock, or own the file alone (a new run set). */
export async function appendEntriesLocked(file: string, items: readonly (NewEntry & { experiment: string })[]): Promise<RegistryEntry[]> {
  const previous = lastEntry(file);
  let last = previous;
  const written: RegistryEntry[] = [];
  // One write, one moment: the entries of a batch (a lock and its violations) share their time.
  const now = new Date();
  for (const item of items) {
    const body = {
      schemaVersion: 1 as const,
      seq: last === undefined ? 0 : last.seq + 1,
      at: (item.at ?? now).toISOString(),
      type: item.type,
      experiment: item.experiment,
      prev: last === undefined ? null : last.digest,
      data: item.data,
    };
    last = { ...body, digest: jsonDigest(body) } as RegistryEntry;
    written.push(last);
  }
  const created = written[0]?.seq === 0;
  const runsDir = path.dirname(file);
  // Whether the record files are in step with the registry before this append (record-files.ts).
  const inStep = recordFilesCover(runsDir, previous);
  appendWhole(file, written.map((e) => `${JSON.stringify(e)}\n`).join(''));
  await syncPaths([file]);
  if (created) await syncPaths([runsDir]);
  await updateRecordFiles(file, inStep ? written : undefined);
  return written;
}

// A write that fails partway (a full disk) is cut back off, so the registry never keeps part of a
// line: the caller gets the error, and the file is as it was.
function appendWhole(file: string, text: string): void {
  const fd = openSync(file, 'a');
  try {
    const size = fstatSync(fd).size;
    try {
      writeFileSync(fd, text);
    } catch (err) {
      ftruncateSync(fd, size);
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw inputError(`no space left on the disk holding ${file}: nothing was registered`, { hint: 'free some space (df -h shows how much is left), then run the command again', cause: err });
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
}

// The record files are derived: when updating them fails, the entries still stand, and the mark,
// left behind, has the next append (or healRecordFiles) write them anew.
async function updateRecordFiles(file: string, added: readonly RegistryEntry[] | undefined): Promise<void> {
  const runsDir = path.dirname(file);
  try {
    if (added !== undefined) appendRecordFiles(runsDir, added);
    else rewriteRecordFiles(runsDir, await readEntries(file));
  } catch {
    // Left behind on purpose (see above).
  }
}

/**
 * Brings registry.csv and violations.log back in step with the registry when a crash left them
 * behind it (record-files.ts); appends do this on their way, this is for when none follows.
 */
export async function healRecordFiles(file: string): Promise<void> {
  await withRegistryLock(file, async () => {
    if (!recordFilesCover(path.dirname(file), lastEntry(file))) await updateRecordFiles(file, undefined);
  });
}

/** The digest an entry should carry: canonical JSON of everything but the digest itself. */
export function entryDigest(entry: RegistryEntry): Digest {
  const { digest: _digest, ...body } = entry;
  return jsonDigest(body);
}
