import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { compareBytes, digestOf, sha256sumLine, type Digest } from '../core/digest.js';

export interface TreeFile {
  /** Path relative to the tree root, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
  mode: number;
}

/** What a special file is: anything that is neither a regular file, a directory nor a symlink. */
type SpecialType = 'fifo' | 'socket' | 'block-device' | 'character-device';

/** An entry that is neither a regular file nor a directory (symlink, fifo, socket, device). */
export interface OddEntry {
  path: string;
  type: 'symlink' | SpecialType;
}

export interface TreeListing {
  files: TreeFile[];
  odd: OddEntry[];
}

// Walks with lstat so a symlink is reported, never followed: a digest must describe what is in
// the directory, not what a link happens to point at today. The walk and small files are
// synchronous: a run folder is a handful of small files, where each async fs round trip costs
// more than the work (bench/alternatives.mjs: 5.4 ms async vs 0.4 ms sync for 7 files).
export async function listTree(root: string, options: { skip?: (relPath: string) => boolean } = {}): Promise<TreeListing> {
  const files: TreeFile[] = [];
  const odd: OddEntry[] = [];
  const large: string[] = [];
  function walk(rel: string): void {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (options.skip?.(relPath) === true) continue;
      if (entry.isDirectory()) walk(relPath);
      else if (entry.isFile()) {
        const small = hashSmallFile(root, relPath);
        if (small === undefined) large.push(relPath);
        else files.push(small);
      } else odd.push({ path: relPath, type: oddType(entry) });
    }
  }
  walk('');
  for (const relPath of large) files.push(await hashLargeFile(root, relPath));
  files.sort((a, b) => compareBytes(a.path, b.path));
  odd.sort((a, b) => compareBytes(a.path, b.path));
  return { files, odd };
}

function oddType(entry: Dirent): OddEntry['type'] {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isFIFO()) return 'fifo';
  if (entry.isSocket()) return 'socket';
  return entry.isBlockDevice() ? 'block-device' : 'character-device';
}

// Files from this size on are streamed (asynchronously) rather than read whole.
const STREAM_FROM_BYTES = 1024 * 1024;

function hashSmallFile(root: string, relPath: string): TreeFile | undefined {
  const full = path.join(root, relPath);
  const stat = statSync(full);
  if (stat.size >= STREAM_FROM_BYTES) return undefined;
  return { path: relPath, size: stat.size, sha256: createHash('sha256').update(readFileSync(full)).digest('hex'), mode: stat.mode & 0o777 };
}

async function hashLargeFile(root: string, relPath: string): Promise<TreeFile> {
  const full = path.join(root, relPath);
  const stat = await fs.stat(full);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
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
