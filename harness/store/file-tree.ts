import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { compareBytes, digestOf, sha256sumLine, type Digest } from '../core/digest.js';

export interface TreeFile {
  /** Path relative to the tree root, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
  mode: number;
}

/** An entry that is neither a regular file nor a directory (symlink, fifo, socket, device). */
export interface OddEntry {
  path: string;
  type: 'symlink' | 'special';
}

export interface TreeListing {
  files: TreeFile[];
  odd: OddEntry[];
}

// Walks with lstat so a symlink is reported, never followed: a digest must describe what is in
// the directory, not what a link happens to point at today.
export async function listTree(root: string, options: { skip?: (relPath: string) => boolean } = {}): Promise<TreeListing> {
  const files: TreeFile[] = [];
  const odd: OddEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (options.skip?.(relPath) === true) continue;
      if (entry.isDirectory()) await walk(relPath);
      else if (entry.isFile()) files.push(await hashFile(root, relPath));
      else odd.push({ path: relPath, type: entry.isSymbolicLink() ? 'symlink' : 'special' });
    }
  }
  await walk('');
  files.sort((a, b) => compareBytes(a.path, b.path));
  odd.sort((a, b) => compareBytes(a.path, b.path));
  return { files, odd };
}

// Small files (nearly all of a run) are read in one call; a stream costs more than the hashing.
const STREAM_FROM_BYTES = 1024 * 1024;

async function hashFile(root: string, relPath: string): Promise<TreeFile> {
  const full = path.join(root, relPath);
  const stat = await fs.stat(full);
  const hash = createHash('sha256');
  if (stat.size < STREAM_FROM_BYTES) hash.update(await fs.readFile(full));
  else for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
  return { path: relPath, size: stat.size, sha256: hash.digest('hex'), mode: stat.mode & 0o777 };
}

/** The `sha256sum` listing of a tree, sorted by path bytes: the text of SHA256SUMS. */
export function sha256sumListing(files: readonly TreeFile[]): string {
  return files.map((f) => sha256sumLine(f.sha256, f.path)).join('');
}

/**
 * Directory digest as coreutils computes it:
 * `find . -type f | cut -c3- | LC_ALL=C sort | xargs -r sha256sum | sha256sum`.
 */
export function treeDigestOf(files: readonly TreeFile[]): Digest {
  return digestOf(sha256sumListing(files));
}

export async function treeDigest(root: string): Promise<Digest> {
  return treeDigestOf((await listTree(root)).files);
}
