import { closeSync, fstatSync, ftruncateSync, openSync, promises as fs, readSync, writeFileSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { jsonDigest, type Digest } from '../core/digest.js';
import type { EntryOf } from '../core/entries.js';
import { inputError } from '../core/errors.js';
import type { RegistryEntry, RegistryEntryType } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';
import { syncPaths } from './atomic-write.js';
import { lockLost } from './lock-lost.js';
import { appendRecordFiles, recordFilesCover, rewriteRecordFiles } from './record-files.js';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

type EntryData<T extends RegistryEntryType> = EntryOf<T>['data'];

// How much of the file's end is read to find the last entry: appends cost the same at 100 or
// 100,000 entries (an entry is far smaller than this; a longer one is read in further chunks).
const TAIL_CHUNK = 16 * 1024;

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
export function appendEntry<T extends RegistryEntryType>(file: string, experiment: string, type: T, data: EntryData<T>): Promise<RegistryEntry> {
  return new Promise((resolve, reject) => {
    const queue = pending.get(file) ?? [];
    queue.push({ experiment, entry: { type, data } as NewEntry, resolve, reject });
    pending.set(file, queue);
    void flush(file);
  });
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
  for (const item of items) {
    const body = {
      schemaVersion: 1 as const,
      seq: last === undefined ? 0 : last.seq + 1,
      at: (item.at ?? new Date()).toISOString(),
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

// Reads backwards from the end until a whole line is in hand.
export function lastEntry(file: string): RegistryEntry | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return undefined;
    let tail = Buffer.alloc(0);
    let pos = size;
    for (;;) {
      const len = Math.min(TAIL_CHUNK, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      readSync(fd, chunk, 0, len, pos);
      tail = Buffer.concat([chunk, tail]);
      // Without its newline the last line is cut off, and the newline before it is where it starts.
      const cutOff = tail[tail.length - 1] !== 0x0a;
      const start = tail.lastIndexOf(0x0a, tail.length - (cutOff ? 1 : 2));
      if (start >= 0 || pos === 0) {
        if (cutOff) throw tornTail(file, pos + start + 1);
        // What the next entry's seq and prev are taken from: checked against the schema, not cast.
        let entry: unknown;
        try {
          entry = JSON.parse(tail.subarray(start + 1, tail.length - 1).toString('utf8'));
        } catch {
          entry = undefined;
        }
        if (entry !== undefined && schemaProblems('registry-entry', entry).length === 0) return entry as RegistryEntry;
        throw inputError(`${file}: the last line is not a registry entry`, { hint: 'run `harness verify` to see what happened to the registry; do not edit it by hand' });
      }
    }
  } finally {
    closeSync(fd);
  }
}

// A last line without its newline that stays so is an append cut off by a power loss or a full
// disk: nothing acknowledged it (a lock it was to register is registered again by \`run\` or
// \`lock-run\`), so cutting it off restores the registry as it was before that append.
/** The refusal of a registry whose last line was cut off at `completeBytes` (exit 2, with how to cut it off). */
export function tornTail(file: string, completeBytes: number): Error {
  return inputError(`${file}: the last line is incomplete: an append was cut off (power loss or a full disk?)`, { hint: `${cutOffAdvice(file, completeBytes)}, then run the command again` });
}

/** What to do about a registry whose last line was cut off at `completeBytes`. */
export function cutOffAdvice(file: string, completeBytes: number): string {
  return `keep a copy (cp ${file} ${file}.cut-off), then, with no harness command running, cut the incomplete line off (truncate -s ${completeBytes} ${file})`;
}

/** Where the registry's lines end: undefined when its text ends with a complete line. */
export function cutOffAt(text: string): number | undefined {
  return text === '' || text.endsWith('\n') ? undefined : Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
}

/**
 * The registry's text (undefined: no registry). Read without the lock, it may end in the middle of
 * another process's append: then it is read again, for a while, before that counts as cut off.
 */
export async function readRegistryText(file: string): Promise<string | undefined> {
  for (let tries = 1; ; tries++) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (cutOffAt(text) === undefined || tries === 5) return text;
    await sleep(50);
  }
}

/** Every entry, parsed; malformed lines are reported by `verify`, here they are an error. */
export async function readEntries(file: string): Promise<RegistryEntry[]> {
  return entriesOf(file, await readRegistryText(file));
}

/** Every entry, as readEntries, and a follower (below) that then returns only the entries appended after them. */
export async function readAndFollow(file: string): Promise<{ entries: RegistryEntry[]; follow: () => RegistryEntry[] }> {
  const text = await readRegistryText(file);
  const entries = entriesOf(file, text);
  return { entries, follow: registryFollower(file, { offset: Buffer.byteLength(text ?? ''), lines: (text ?? '').split('\n').length - 1 }) };
}

function entriesOf(file: string, text: string | undefined): RegistryEntry[] {
  if (text === undefined) return [];
  const cutOff = cutOffAt(text);
  if (cutOff !== undefined) throw tornTail(file, cutOff);
  return parseLines(file, text, 0);
}

// Line numbers in errors count every line of the file, blank ones included.
function parseLines(file: string, text: string, linesBefore: number): RegistryEntry[] {
  return text.split('\n').flatMap((line, i) => {
    if (line === '') return [];
    try {
      return [JSON.parse(line) as RegistryEntry];
    } catch {
      throw inputError(`${file}:${linesBefore + i + 1}: not a JSON registry entry`, { hint: 'run `harness verify` to see what happened to the registry; do not edit it by hand' });
    }
  });
}

/**
 * Follows a registry as it grows (other processes append to it): each call returns the entries
 * of the complete lines appended since the last call, reading only those bytes. A line still
 * being written is left for a later call.
 */
export function registryFollower(file: string, from = { offset: 0, lines: 0 }): () => RegistryEntry[] {
  let { offset, lines } = from;
  return () => {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const grown = fstatSync(fd).size - offset;
      if (grown <= 0) return [];
      const bytes = Buffer.alloc(grown);
      const read = readSync(fd, bytes, 0, grown, offset);
      const complete = bytes.lastIndexOf(0x0a, read - 1) + 1;
      const text = bytes.toString('utf8', 0, complete);
      const entries = parseLines(file, text, lines);
      offset += complete;
      lines += text.split('\n').length - 1;
      return entries;
    } finally {
      closeSync(fd);
    }
  };
}
