import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWriteSize, resolveInWorkspace, type PathRule } from './paths.js';

let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await fs.realpath(await fs.mkdtemp(path.join(tmpdir(), 'harness-paths-')));
  root = path.join(base, 'ws');
  outside = path.join(base, 'outside');
  await fs.mkdir(path.join(root, 'sub', 'dir'), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(root, 'sub', 'dir', 'f.txt'), 'hi');
  await fs.writeFile(path.join(root, 'file.txt'), 'hi');
  await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
  await fs.symlink('/etc', path.join(root, 'etc'));
  await fs.symlink(outside, path.join(root, 'out'));
  await fs.symlink(path.join(outside, 'nope.txt'), path.join(root, 'dangle'));
  await fs.symlink('sub', path.join(root, 'alias'));
  await fs.symlink('loop2', path.join(root, 'loop1'));
  await fs.symlink('loop1', path.join(root, 'loop2'));
  execFileSync('mkfifo', [path.join(root, 'pipe')]);
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

// Each refusal case: the rule, whether it is critical, and a fragment of the model-facing message.
const refused: [string, 'read' | 'write' | 'list', PathRule, boolean, string][] = [
  ['../x', 'read', 'parent-escape', true, 'climbs above it'],
  ['a/../../x', 'write', 'parent-escape', true, 'climbs above it'],
  ['/etc/passwd', 'read', 'absolute-path', true, 'path must be relative to the workspace; got /etc/passwd'],
  ['/workspace/../etc/passwd', 'read', 'absolute-path', true, 'got /workspace/../etc/passwd'],
  ['/workspace/notes.txt', 'write', 'absolute-path', false, 'so use notes.txt'],
  ['etc/passwd', 'read', 'symlink-escape', true, 'outside the workspace'],
  ['etc', 'list', 'symlink-escape', true, 'outside the workspace'],
  ['out/secret.txt', 'read', 'symlink-escape', true, 'outside the workspace'],
  ['out/new/deep.txt', 'write', 'symlink-escape', true, 'outside the workspace'],
  ['dangle', 'write', 'symlink-escape', true, 'outside the workspace'],
  ['pipe', 'read', 'special-file', false, 'fifo'],
  ['', 'read', 'invalid-path', false, 'non-empty'],
  ['a\0b', 'write', 'invalid-path', false, 'NUL'],
  ['file.txt/x', 'write', 'invalid-path', false, 'is a file, not a directory'],
  ['loop1', 'read', 'invalid-path', false, 'symlink loop'],
  ['.', 'write', 'invalid-path', false, 'workspace root'],
  ['sub', 'read', 'invalid-path', false, 'is a directory'],
];

describe('resolveInWorkspace refuses', () => {
  it.each(refused)('%j for %s as %s', (requested, purpose, rule, critical, fragment) => {
    const r = resolveInWorkspace(root, requested, purpose);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.violation).toMatchObject({ rule, critical });
    expect(r.violation.message).toContain(fragment);
    expect(r.violation.message).not.toContain(outside);
  });
});

describe('resolveInWorkspace allows', () => {
  it('a nested existing file', () => {
    expect(resolveInWorkspace(root, 'sub/dir/f.txt', 'read')).toEqual({
      ok: true, abs: path.join(root, 'sub/dir/f.txt'), rel: 'sub/dir/f.txt',
    });
  });

  it('`..` that stays inside, normalised', () => {
    expect(resolveInWorkspace(root, 'sub/../file.txt', 'read')).toEqual({
      ok: true, abs: path.join(root, 'file.txt'), rel: 'file.txt',
    });
  });

  it('a new file in an existing directory (write)', () => {
    expect(resolveInWorkspace(root, './sub/new.txt', 'write')).toEqual({
      ok: true, abs: path.join(root, 'sub/new.txt'), rel: 'sub/new.txt',
    });
  });

  it('a new file in directories that do not exist yet (write; the tool creates them)', () => {
    expect(resolveInWorkspace(root, 'x/y/z.txt', 'write')).toEqual({
      ok: true, abs: path.join(root, 'x/y/z.txt'), rel: 'x/y/z.txt',
    });
  });

  it('a symlink that stays inside, resolved to its target', () => {
    expect(resolveInWorkspace(root, 'alias/dir/f.txt', 'read')).toEqual({
      ok: true, abs: path.join(root, 'sub/dir/f.txt'), rel: 'alias/dir/f.txt',
    });
  });

  it('listing the root, given through a symlink to it', async () => {
    const link = path.join(base, 'ws-link');
    await fs.symlink(root, link);
    expect(resolveInWorkspace(link, '.', 'list')).toEqual({ ok: true, abs: root, rel: '.' });
  });
});

describe('checkWriteSize', () => {
  it('allows up to the limit and refuses beyond it, non-critically', () => {
    expect(checkWriteSize(100, 100)).toEqual({ ok: true });
    const r = checkWriteSize(101, 100);
    expect(r).toMatchObject({ ok: false, violation: { rule: 'oversize-write', critical: false } });
    if (!r.ok) expect(r.violation.message).toContain('101 bytes, over the 100-byte limit');
  });
});
