import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectSandbox } from './detect.js';
import { sandboxEnv } from './env.js';
import { runSandboxed, type SandboxMode } from './run.js';

// On CI a missing bwrap must fail these tests, not skip them; elsewhere bwrap tests need bwrap.
const sandbox = await detectSandbox();
const bwrapRuns = sandbox.available || Boolean(process.env.CI);
const modes = (['bwrap', 'none'] as const).filter((m) => m === 'none' || bwrapRuns);

// Host PIDs whose command line is exactly `argv`, read from /proc like `pgrep -fx`.
async function processesRunning(argv: string[]): Promise<number[]> {
  const wanted = `${argv.join('\0')}\0`;
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline === wanted) pids.push(Number(entry));
  }
  return pids;
}

// Poll until `check` holds, so process start-up and teardown get a moment without fixed sleeps.
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe.each(modes)('runSandboxed (mode %s)', (mode: SandboxMode) => {
  let workspace: string;
  beforeEach(async () => {
    workspace = await fs.mkdtemp(path.join(tmpdir(), 'harness-run-'));
  });
  afterEach(async () => {
    await fs.rm(workspace, { recursive: true, force: true });
  });
  const run = (argv: string[], extra: Partial<Parameters<typeof runSandboxed>[0]> = {}) =>
    runSandboxed({ mode, workspace, argv, env: sandboxEnv(), timeoutMs: 10_000, maxOutputBytes: 1 << 20, ...extra });
  // Distinct per mode so the two suites, running in parallel, never see each other's sleepers.
  const n = mode === 'bwrap' ? 3100 : 3200;

  it('runs in the workspace, passes stdin, reports the exit code', async () => {
    const r = await run(['sh', '-c', 'cat > made.txt; echo out; echo err >&2; exit 3'], { stdin: 'hello' });
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, stdout: 'out\n', stderr: 'err\n' });
    expect(await fs.readFile(path.join(workspace, 'made.txt'), 'utf8')).toBe('hello');
  });

  it('gives only the sandbox environment, never a secret of the parent', async () => {
    process.env.ANTHROPIC_API_KEY = 'sk-ant-must-not-leak';
    try {
      const r = await run(['env'], { env: sandboxEnv() });
      expect(r.stdout).not.toContain('sk-ant-must-not-leak');
      const names = r.stdout.trim().split('\n').map((l) => l.split('=')[0]);
      expect(names.sort()).toEqual(['HOME', 'LANG', 'PATH', 'TMPDIR', ...(mode === 'bwrap' ? ['PWD'] : [])].sort());
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
    }
  });

  it('kills the whole process tree at the timeout; nothing survives', async () => {
    const sleepers = [['sleep', `${n + 1}`], ['sleep', `${n + 2}`]];
    const pending = run(['sh', '-c', `sleep ${n + 1} & sleep ${n + 2}`], { timeoutMs: 1500 });
    const alive = async () => (await Promise.all(sleepers.map(processesRunning))).flat();
    expect(await eventually(async () => (await alive()).length === 2)).toBe(true);
    const r = await pending;
    expect(r).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(r.durationMs).toBeLessThan(5000);
    expect(await eventually(async () => (await alive()).length === 0)).toBe(true);
  });

  it('kills background processes left behind when the program exits', async () => {
    const r = await run(['sh', '-c', `sleep ${n + 3} & echo started`], { timeoutMs: 5000 });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, stdout: 'started\n' });
    expect(await eventually(async () => (await processesRunning(['sleep', `${n + 3}`])).length === 0)).toBe(true);
  });

  it('keeps the head of huge output without buffering it', async () => {
    const before = process.memoryUsage().rss;
    const r = await run(['sh', '-c', 'head -c 50000000 /dev/zero; echo tail >&2'], { maxOutputBytes: 4096 });
    const grownMiB = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(r).toMatchObject({ exitCode: 0, stdoutTruncated: true, stderrTruncated: false, stderr: 'tail\n' });
    expect(r.stdout).toBe('\0'.repeat(4096));
    expect(grownMiB).toBeLessThan(40);
  });

  it('reports a program that cannot start as a shell does: 127 not found, 126 not executable', async () => {
    const missing = await run(['no-such-program-xyz']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('no-such-program-xyz');
    await fs.writeFile(path.join(workspace, 'agent.sh'), '#!/bin/sh\necho ran\n', { mode: 0o644 });
    const notExecutable = await run(['./agent.sh']);
    expect(notExecutable).toMatchObject({ exitCode: 126, stdout: '' });
    expect(notExecutable.stderr).toMatch(/agent\.sh.*(Permission denied|EACCES)/);
  });

  it('keeps the exit code of a program that started and failed, whatever it printed', async () => {
    const r = await run(['sh', '-c', 'echo "bwrap: execvp other: No such file or directory" >&2; exit 1']);
    expect(r.exitCode).toBe(1);
  });

  it('refuses NUL bytes in arguments as an input error', async () => {
    await expect(run(['echo', 'a\0b'])).rejects.toMatchObject({ kind: 'input' });
  });
});
