import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxMode } from '../sandbox/run.js';
import { listTree, type TreeListing } from '../store/file-tree.js';
import { runCheck, type CheckContext } from './checks.js';
import { outputViolations } from './output-violations.js';

// What the evaluator makes of symlinks and special files in outputs/: violations, only_files and
// the copy a command check runs on.

let outputs: string;
let listing: TreeListing;

// What an agent that runs programs can leave behind without asking a file tool.
beforeAll(async () => {
  outputs = await fs.mkdtemp(path.join(tmpdir(), 'harness-outputs-'));
  await fs.mkdir(path.join(outputs, 'sub'));
  await fs.writeFile(path.join(outputs, 'greeting.txt'), 'hi\n');
  await fs.symlink('greeting.txt', path.join(outputs, 'link-in'));
  await fs.symlink('../greeting.txt', path.join(outputs, 'sub', 'link-up-in'));
  await fs.symlink('missing.txt', path.join(outputs, 'dangling-in'));
  await fs.symlink('/etc/hostname', path.join(outputs, 'link-out'));
  await fs.symlink('../../..', path.join(outputs, 'updir'));
  // In the sandbox the workspace is /workspace: `ln -s "$PWD/greeting.txt"` there makes this link.
  await fs.symlink('/workspace/greeting.txt', path.join(outputs, 'sandbox-name'));
  await fs.symlink('/workspace/../etc', path.join(outputs, 'sandbox-up'));
  execFileSync('mkfifo', [path.join(outputs, 'sub', 'fifo')]);
  listing = await listTree(outputs);
});

afterAll(async () => {
  await fs.rm(outputs, { recursive: true, force: true });
});

// What a check sees of a run that ended normally, with the outputs above.
const ctx = (): CheckContext => ({
  outputs, files: listing.files, odd: listing.odd, fixture: [], sandbox: 'none',
  trace: { stopReason: 'end_turn', turns: 0, toolCalls: 0, toolErrors: 0, clarifications: 0, retries: 0, usage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 }, wallTimeSeconds: 0, model: null, violations: [], succeeded: new Map(), recoveredFromErrors: null, infrastructureError: null },
});

describe('outputViolations', () => {
  it('records links pointing out (critical) and special files, not links that stay inside', async () => {
    expect(await outputViolations(outputs, listing.odd, 'bwrap')).toEqual([
      { rule: 'outputs-symlink-escape', critical: true, message: 'outputs/link-out: a symlink to /etc/hostname, outside the workspace' },
      { rule: 'outputs-symlink-escape', critical: true, message: 'outputs/sandbox-up: a symlink to /workspace/../etc, outside the workspace' },
      { rule: 'outputs-special-file', critical: false, message: 'outputs/sub/fifo: a fifo left in the workspace; outputs hold regular files, folders and links inside the workspace' },
      { rule: 'outputs-symlink-escape', critical: true, message: 'outputs/updir: a symlink to ../../.., outside the workspace' },
    ]);
  });

  it('a link to /workspace/... made in the bubblewrap sandbox stays inside; without the sandbox it is a host path like any other', async () => {
    const byName = async (sandbox: SandboxMode) => (await outputViolations(outputs, listing.odd, sandbox)).map((v) => v.message.split(':')[0]);
    expect(await byName('bwrap')).not.toContain('outputs/sandbox-name');
    expect(await byName('none')).toContain('outputs/sandbox-name');
  });
});

describe('only_files', () => {

  it('counts every entry, links and special files too, and names what each odd one is', async () => {
    const r = await runCheck({ id: 'only', kind: 'only_files', allowed: ['greeting.txt'] }, ctx());
    expect(r).toMatchObject({ passed: false, reason: 'unexpected files: dangling-in (symlink), link-in (symlink), link-out (symlink), sandbox-name (symlink), sandbox-up (symlink), sub/fifo (fifo), sub/link-up-in (symlink), updir (symlink)' });
  });

  it('passes when every entry is allowed', async () => {
    const allowed = ['greeting.txt', 'dangling-in', 'link-in', 'link-out', 'sandbox-name', 'sandbox-up', 'sub/fifo', 'sub/link-up-in', 'updir'];
    expect(await runCheck({ id: 'only', kind: 'only_files', allowed }, ctx())).toMatchObject({ passed: true, reason: 'no unexpected files' });
  });

  it('a command check runs on a copy without the special files and with the links as they are', async () => {
    const r = await runCheck({ id: 'cmd', kind: 'command', argv: ['sh', '-c', 'test ! -e sub/fifo && test "$(readlink link-in)" = greeting.txt && cat link-in'] }, ctx());
    expect(r).toMatchObject({ passed: true, reason: expect.stringContaining('exited 0: hi') });
  });
});

describe('file_equals', () => {
  const check = (content: string) => ({ id: 'eq', kind: 'file_equals', path: 'greeting.txt', content }) as Parameters<typeof runCheck>[0];

  it('names the line and column of the first difference, each side shown from the start of that line', async () => {
    // greeting.txt holds "hi\n".
    expect((await runCheck(check('\nhi\n'), ctx())).reason).toBe('greeting.txt differs from the expected content (first difference at line 1, column 1: got "hi\\n", expected "\\nhi\\n")');
    expect((await runCheck(check('ho\n'), ctx())).reason).toBe('greeting.txt differs from the expected content (first difference at line 1, column 2: got "hi\\n", expected "ho\\n")');
  });
});
