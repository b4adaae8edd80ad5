import { promises as fs } from 'node:fs';
import path from 'node:path';
import { digestOf, jsonDigest, type Digest } from '../core/digest.js';
import type { RunLock } from '../core/types/index.js';
import { fsyncDir, writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
import { listTree, sha256sumListing, type TreeFile } from './file-tree.js';

export const LOCK_FILE = 'lock.json';
export const SUMS_FILE = 'SHA256SUMS';
const isLockFile = (rel: string) => rel === LOCK_FILE || rel === SUMS_FILE;

/** The run's files as they are now: what a lock lists and what verify compares. */
export async function runContents(dir: string): Promise<{ files: TreeFile[]; links: { path: string; target: string }[]; special: string[] }> {
  const listing = await listTree(dir, { skip: isLockFile });
  const links = [];
  const special = [];
  for (const odd of listing.odd) {
    if (odd.type === 'symlink') links.push({ path: odd.path, target: await fs.readlink(path.join(dir, odd.path)) });
    else special.push(odd.path);
  }
  return { files: listing.files, links, special };
}

// Writes SHA256SUMS (checkable with `sha256sum -c` alone) and lock.json, whose root digest is the
// sha256 of SHA256SUMS, then makes the whole run read-only.
export async function writeLock(dir: string, runId: string, manifestDigest: Digest, scorecardDigest: Digest, now: Date): Promise<RunLock> {
  const { files, links } = await runContents(dir);
  const sums = sha256sumListing(files);
  const lock: RunLock = {
    schemaVersion: 1,
    runId,
    lockedAt: now.toISOString(),
    files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
    links,
    rootDigest: digestOf(sums),
    manifestDigest,
    scorecardDigest,
  };
  await writeFileAtomic(path.join(dir, SUMS_FILE), sums, { syncDir: false });
  await writeJsonAtomic(path.join(dir, LOCK_FILE), lock, { syncDir: false });
  await fsyncDir(dir);
  await makeReadOnly(dir);
  return lock;
}

export function lockDigest(lock: RunLock): Digest {
  return jsonDigest(lock);
}

// Deepest first, the run folder itself last, so nothing is left writable halfway.
export async function makeReadOnly(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeReadOnly(p);
    else if (entry.isFile()) await fs.chmod(p, 0o444);
  }
  await fs.chmod(dir, 0o555);
}
