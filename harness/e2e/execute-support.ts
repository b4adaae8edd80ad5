import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { expect } from 'vitest';
import { CLI, EXAMPLE, type CliResult } from '../test-support/cli.js';

// Shared by the execute-*.test.ts files: running the CLI with a controlled environment, reading
// the schedule and the trace, and watching the host for anything a run should not have touched.

export type Slot = { index: number; task: string; variant: string; seed: number; pairId: string };
export type TraceLine = { type: string; [key: string]: unknown };

/** The CLI with process.env minus `unset`, plus `env`. */
export function cli(args: string[], o: { cwd: string; env?: Record<string, string>; unset?: string[] }): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  for (const name of o.unset ?? []) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: o.cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 99;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

/** Rewrites a YAML file through `fn` (comments are lost, which no test needs). */
export async function editYaml(file: string, fn: (doc: Record<string, unknown>) => void): Promise<void> {
  const doc = YAML.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  fn(doc);
  await fs.writeFile(file, YAML.stringify(doc));
}

export async function freezeCli(dir: string, extra: string[] = []): Promise<void> {
  const r = await cli(['freeze', EXAMPLE, ...extra], { cwd: dir });
  expect(r.exitCode, r.stderr).toBe(0);
}

export async function scheduleOf(dir: string, runsDir = 'runs'): Promise<Slot[]> {
  const file = path.join(dir, runsDir, EXAMPLE, 'schedule.json');
  return (JSON.parse(await fs.readFile(file, 'utf8')) as { slots: Slot[] }).slots;
}

/** The first slot of each task, in the experiment's task order. */
export function firstSlots(slots: Slot[]): Slot[] {
  return [...new Map(slots.toReversed().map((s) => [s.task, s])).values()].sort((a, b) => a.index - b.index);
}

export const slotArgs = (s: Slot): string[] => ['--experiment', EXAMPLE, '--variant', s.variant, '--task', s.task, '--seed', String(s.seed), '--pair-id', s.pairId];

/** pin-and-run --init through the CLI; the absolute manifest path. */
export async function initCli(dir: string, slot: Slot, extra: string[] = []): Promise<string> {
  const r = await cli(['pin-and-run', '--init', ...slotArgs(slot), ...extra, '--json'], { cwd: dir });
  expect(r.exitCode, r.stderr).toBe(0);
  return path.join(dir, (JSON.parse(r.stdout) as { manifest: string }).manifest);
}

export interface Executed {
  exitCode: number;
  stderr: string;
  result: { runId: string; stopReason: string; turns: number; toolCalls: number; infrastructureError: string | null } | undefined;
}

export async function executeCli(dir: string, manifest: string, o: { env?: Record<string, string>; unset?: string[]; extra?: string[] } = {}): Promise<Executed> {
  const r = await cli(['pin-and-run', '--execute', '--manifest', manifest, ...(o.extra ?? []), '--json'], { cwd: dir, env: o.env, unset: o.unset });
  return { exitCode: r.exitCode, stderr: r.stderr, result: r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout) };
}

export async function readTrace(runDir: string): Promise<TraceLine[]> {
  const text = await fs.readFile(path.join(runDir, 'agent.log'), 'utf8');
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as TraceLine);
}

export const ofType = (trace: TraceLine[], type: string): TraceLine[] => trace.filter((e) => e.type === type);

/** The trace without what depends on the clock. */
export function timeless(trace: TraceLine[]): unknown[] {
  const drop = new Set(['at', 'durationMs', 'wallTimeMs']);
  return JSON.parse(JSON.stringify(trace, (k, v: unknown) => (drop.has(k) ? undefined : v))) as unknown[];
}

/** Every entry under a folder (symlinks not followed) with a digest of its content or link target. */
export async function treeDigests(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      const abs = path.join(dir, r);
      if (e.isDirectory()) await walk(r);
      else if (e.isSymbolicLink()) out[r] = `-> ${await fs.readlink(abs)}`;
      else out[r] = createHash('sha256').update(await fs.readFile(abs)).digest('hex');
    }
  };
  if (existsSync(dir)) await walk('');
  return out;
}

/** Text files under a folder, relative path to content. */
export async function treeTexts(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of Object.keys(await treeDigests(dir))) out[rel] = await fs.readFile(path.join(dir, rel), 'utf8');
  return out;
}

/** Processes on the host whose command line contains `needle` (NULs read as spaces). */
export async function processesMatching(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await fs.readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.replaceAll('\0', ' ').includes(needle)) found.push(`${pid}: ${cmd.replaceAll('\0', ' ')}`);
  }
  return found;
}

/** A TCP listener on 127.0.0.1 that counts connections: a sandboxed program must never reach it. */
export async function tcpTrap(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => count, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A fresh marker for names that must not appear on the host (files in /tmp, process args). */
export const marker = (): string => `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
