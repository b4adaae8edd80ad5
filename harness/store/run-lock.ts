import { chmodSync, promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { digestOf, jsonDigest, type Digest } from '../core/digest.js';
import type { RunLock } from '../core/types/index.js';
import { inputError } from '../core/errors.js';
import { isTempFileName, writeJsonAtomic, writeFileUnsynced } from './atomic-write.js';
import { listTree, sha256sumListing, type TreeFile } from './file-tree.js';

export const LOCK_FILE = 'lock.json';
export const SUMS_FILE = 'SHA256SUMS';
const isLockFile = (rel: string) => rel === LOCK_FILE || rel === SUMS_FILE;

/** The run's entries as they are now: what a lock lists and what verify compares. */
export interface RunContents {
  files: TreeFile[];
  links: RunLock['links'];
  special: NonNullable<RunLock['special']>;
}

export async function runContents(dir: string): Promise<RunContents> {
  const listing = await listTree(dir, { skip: isLockFile });
  const links = [];
  const special = [];
  for (const odd of listing.odd) {
    if (odd.type === 'symlink') links.push({ path: odd.path, target: await fs.readlink(path.join(dir, odd.path)) });
    else special.push({ path: odd.path, type: odd.type });
  }
  return { files: listing.files, links, special };
}

// Writes SHA256SUMS (checkable with `sha256sum -c` alone) and lock.json, whose root digest is the
// sha256 of SHA256SUMS and which also lists the links and special files (a fifo an agent left in
// its workspace is part of what it produced), then makes the whole run read-only. Every file the lock lists, every
// folder on the way to one, the run folder and the folder holding it are made durable with the
// lock's content, before that takes the name lock.json, so a lock never outlives its files.
export async function writeLock(dir: string, runId: string, manifestDigest: Digest, scorecardDigest: Digest, now: Date): Promise<RunLock> {
  const { files, links, special } = await runContents(dir);
  refuseLeftovers(dir, runId, files);
  const sums = sha256sumListing(files);
  const lock: RunLock = {
    schemaVersion: 1,
    runId,
    lockedAt: now.toISOString(),
    files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
    links,
    special,
    rootDigest: digestOf(sums),
    manifestDigest,
    scorecardDigest,
  };
  const sumsFile = path.join(dir, SUMS_FILE);
  writeFileUnsynced(sumsFile, sums);
  const folders = new Set(['.']);
  for (const p of [...files, ...links, ...special].map((f) => f.path)) {
    for (let d = path.posix.dirname(p); d !== '.'; d = path.posix.dirname(d)) folders.add(d);
  }
  await writeJsonAtomic(path.join(dir, LOCK_FILE), lock, {
    syncedWith: [...files.map((f) => path.join(dir, f.path)), sumsFile, ...[...folders].map((d) => path.join(dir, d)), path.dirname(dir)],
  });
  makeReadOnly(dir);
  return lock;
}

// The run folder's own files are written by the harness alone (the agent writes under outputs/),
// so a temp file there is what a process killed mid-write left behind: not part of the run, and
// not to be locked into it.
function refuseLeftovers(dir: string, runId: string, files: readonly TreeFile[]): void {
  const leftovers = files.filter((f) => !f.path.includes('/') && isTempFileName(f.path)).map((f) => path.join(dir, f.path));
  if (leftovers.length === 0) return;
  const [what, is, them] = leftovers.length === 1 ? ['a temp file', 'is', 'it'] : ['temp files', 'are', 'them'];
  throw inputError(`${runId} holds ${what} left by an interrupted write: ${leftovers.join(', ')}`, {
    hint: `${what} ${is} no part of the run, and the lock would list ${them}: remove ${them} (rm ${leftovers.map((l) => `'${l}'`).join(' ')}) and lock again`,
  });
}

export function lockDigest(lock: RunLock): Digest {
  return jsonDigest(lock);
}

// Deepest first, the run folder itself last, so nothing is left writable halfway. Synchronous:
// a chmod is one cheap syscall, and a run folder holds a handful of entries.
export function makeReadOnly(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadOnly(p);
    else if (entry.isFile()) chmodSync(p, 0o444);
  }
  chmodSync(dir, 0o555);
}
