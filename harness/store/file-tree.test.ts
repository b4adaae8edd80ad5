import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listTree, sha256sumListing, treeDigest } from './file-tree.js';

// The coreutils recomputation DESIGN.md promises. `xargs -d '\n'` instead of plain `xargs`:
// plain xargs splits "dir with space/f" into two arguments (see the report on DESIGN.md).
const PIPELINE = "find . -type f | cut -c3- | LC_ALL=C sort | xargs -r -d '\\n' sha256sum | sha256sum";

function coreutilsDigest(dir: string): string {
  const out = execFileSync('bash', ['-c', `cd "$1" && ${PIPELINE}`, 'bash', dir], { encoding: 'utf8' });
  const match = /^([0-9a-f]{64}) {2}-\n$/.exec(out);
  if (match === null) throw new Error(`unexpected sha256sum output: ${JSON.stringify(out)}`);
  return match[1]!;
}

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'harness-tree-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function write(files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
}

// Names whose byte order (C locale) differs from a locale's dictionary order and from readdir order.
const TREE: Record<string, string | Buffer> = {
  B: 'upper B\n',
  a: 'lower a\n',
  '\u00e9': 'e acute\n',
  'Z.txt': 'zed',
  'dir/x': 'x in dir\n',
  'dir/sub/deep.bin': Buffer.from([0, 1, 2, 255, 254, 10, 13]),
  'dir with space/file name.txt': 'spaces\n',
  'dir-dash/y': '',
  'Dir/upper': 'capital dir\n',
  '\u00e9t\u00e9/\u65e5\u672c.md': 'non-ascii dir and file\n',
};

describe('treeDigest', () => {
  it('equals the coreutils pipeline on nested, spaced, mixed-case and non-ASCII names', async () => {
    await write(TREE);
    const listing = await listTree(root);
    expect(listing.files.map((f) => f.path)).toEqual([
      'B', 'Dir/upper', 'Z.txt', 'a', 'dir with space/file name.txt', 'dir-dash/y', 'dir/sub/deep.bin', 'dir/x',
      '\u00e9', '\u00e9t\u00e9/\u65e5\u672c.md',
    ]);
    expect(listing.files.find((f) => f.path === 'dir/sub/deep.bin')?.size).toBe(7);
    expect(listing.odd).toEqual([]);
    expect((await treeDigest(root)).sha256).toBe(coreutilsDigest(root));
  });

  it('changes when one byte of one file changes, and coreutils agrees', async () => {
    await write(TREE);
    const before = (await treeDigest(root)).sha256;
    await fs.writeFile(path.join(root, 'dir/x'), 'x in dir!');
    const after = (await treeDigest(root)).sha256;
    expect(after).not.toBe(before);
    expect(after).toBe(coreutilsDigest(root));
  });

  // GNU sha256sum escapes a name holding a backslash (line starts with `\`, name has `\\`); an
  // agent's outputs/ can hold such a name, and the root digest must still be recomputable.
  it('equals the coreutils pipeline when a name holds a backslash', async () => {
    await write({ 'back\\slash.txt': 'b\n', plain: 'p\n' });
    expect((await treeDigest(root)).sha256).toBe(coreutilsDigest(root));
  });

  it('is the digest of no files for an empty tree (empty dirs hold no files)', async () => {
    await fs.mkdir(path.join(root, 'empty/nested'), { recursive: true });
    const emptySha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect((await treeDigest(root)).sha256).toBe(emptySha);
    expect(coreutilsDigest(root)).toBe(emptySha);
  });

  it('reports symlinks and fifos in odd and never hashes or follows them', async () => {
    await write({ a: 'a\n', 'dir/x': 'x\n' });
    await fs.symlink('a', path.join(root, 'link-to-file'));
    await fs.symlink('dir', path.join(root, 'link-to-dir'));
    await fs.symlink('/nonexistent/target', path.join(root, 'dangling'));
    execFileSync('mkfifo', [path.join(root, 'dir/fifo')]);
    // Reading the fifo would block forever; the test's timeout would catch a listing that tried.
    const listing = await listTree(root);
    expect(listing.files.map((f) => f.path)).toEqual(['a', 'dir/x']);
    expect(listing.odd).toEqual([
      { path: 'dangling', type: 'symlink' },
      { path: 'dir/fifo', type: 'fifo' },
      { path: 'link-to-dir', type: 'symlink' },
      { path: 'link-to-file', type: 'symlink' },
    ]);
    expect((await treeDigest(root)).sha256).toBe(coreutilsDigest(root));
  });

  it('lists each file\'s own mode, a file of 1 MiB or more (streamed) as a small one', async () => {
    // A loosened mode on a locked run's file is what verify reports: the streamed path must see it too.
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    await write({ big, small: 's\n' });
    await fs.chmod(path.join(root, 'big'), 0o644);
    await fs.chmod(path.join(root, 'small'), 0o640);
    const listing = await listTree(root);
    expect(listing.files.map((f) => [f.path, f.size, f.mode])).toEqual([['big', big.length, 0o644], ['small', 2, 0o640]]);
    expect(listing.files[0]!.sha256).toBe(createHash('sha256').update(big).digest('hex'));
    await fs.chmod(path.join(root, 'big'), 0o400);
    expect((await listTree(root)).files[0]!.mode).toBe(0o400);
  });

  it('leaves out what skip names', async () => {
    await write({ keep: 'k', 'drop/me': 'd', dropfile: 'x' });
    const listing = await listTree(root, { skip: (p) => p === 'drop' || p === 'dropfile' });
    expect(listing.files.map((f) => f.path)).toEqual(['keep']);
  });
});

describe('sha256sumListing', () => {
  function check(listing: string): { status: number | null; stdout: string } {
    const r = spawnSync('sha256sum', ['-c', '--strict', '-'], { cwd: root, input: listing, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout };
  }

  it('is accepted by `sha256sum -c` inside the tree, one OK per file', async () => {
    await write(TREE);
    const { files } = await listTree(root);
    const listing = sha256sumListing(files);
    expect(listing.endsWith('\n')).toBe(true);
    const result = check(listing);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(files.map((f) => `${f.path}: OK`));
  });

  it('is rejected by `sha256sum -c` once a file changes', async () => {
    await write(TREE);
    const listing = sha256sumListing((await listTree(root)).files);
    await fs.writeFile(path.join(root, 'dir with space/file name.txt'), 'tampered\n');
    const result = check(listing);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('dir with space/file name.txt: FAILED');
  });
});
