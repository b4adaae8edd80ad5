import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSandbox } from './detect.js';
import { sandboxEnv } from './env.js';
import { runSandboxed } from './run.js';

// On CI a missing bwrap must fail these tests, not skip them.
const sandbox = await detectSandbox();

describe.skipIf(!sandbox.available && !process.env.CI)('bwrap isolation', () => {
  let workspace: string;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    workspace = await fs.mkdtemp(path.join(tmpdir(), 'harness-iso-'));
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(workspace, { recursive: true, force: true });
  });
  const run = (argv: string[], network = false) =>
    runSandboxed({ mode: 'bwrap', workspace, argv, env: sandboxEnv(), timeoutMs: 10_000, maxOutputBytes: 1 << 20, network });
  const lines = (s: string) => s.split('\n').filter((l) => l !== '');

  it('hides /etc/passwd', async () => {
    const r = await run(['cat', '/etc/passwd']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toBe('');
  });

  it('shows nothing of the host above the workspace, nor in /etc', async () => {
    const system = ['bin', 'dev', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'proc', 'sbin', 'tmp', 'usr', 'workspace'];
    for (const argv of [['ls', '..'], ['ls', '/']]) {
      const entries = lines((await run(argv)).stdout);
      expect(entries).toContain('workspace');
      expect(entries.filter((e) => !system.includes(e))).toEqual([]);
    }
    const etc = lines((await run(['ls', '/etc'])).stdout);
    expect(etc.filter((e) => !['ld.so.cache', 'alternatives'].includes(e))).toEqual([]);
  });

  it('writes in /workspace reach the host workspace; /tmp is private', async () => {
    const name = `harness-iso-${process.pid}-${Date.now()}`;
    const r = await run(['sh', '-c', `echo hi > /workspace/out.txt && touch /tmp/${name}`]);
    expect(r.exitCode).toBe(0);
    expect(await fs.readFile(path.join(workspace, 'out.txt'), 'utf8')).toBe('hi\n');
    await expect(fs.access(path.join('/tmp', name))).rejects.toThrow();
    await expect(fs.access(path.join(tmpdir(), name))).rejects.toThrow();
  });

  it('keeps system directories read-only', async () => {
    const r = await run(['touch', '/usr/harness-should-not-exist']);
    expect(r.exitCode).not.toBe(0);
  });

  it('has no network unless granted', async () => {
    const connect = ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`];
    const denied = await run(connect);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stdout).not.toContain('connected');
    const granted = await run(connect, true);
    expect(granted).toMatchObject({ exitCode: 0, stdout: 'connected\n' });
  });

  it('drops every capability, even when started as root', async () => {
    const r = await run(['grep', '^CapEff:', '/proc/self/status']);
    expect(r.stdout).toMatch(/^CapEff:\s+0+\n$/);
  });

  it('runs the program as a child of bwrap in its own PID namespace', async () => {
    const r = await run(['sh', '-c', 'echo $$']);
    expect(Number(r.stdout.trim())).toBeLessThan(10);
  });

  it('keeps the environment and host paths out of the command line', async () => {
    const r = await runSandboxed({
      mode: 'bwrap', workspace, argv: ['cat', '/proc/1/cmdline'], env: sandboxEnv({ TOKEN: 'tok-123' }),
      timeoutMs: 10_000, maxOutputBytes: 1 << 20,
    });
    expect(r.stdout).not.toContain('tok-123');
    expect(r.stdout).not.toContain(workspace);
  });
});
