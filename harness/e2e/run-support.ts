import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI, EXAMPLE, scratchProject, type CliResult } from '../test-support/cli.js';
import { cli, editYaml, scheduleOf, type Slot } from './execute-support.js';

// Shared by the run-*.test.ts and rerun-*.test.ts files: a small frozen copy of the example
// experiment, the CLI with an environment that cannot point it elsewhere, and readers for the
// registry, the run folders and progress.csv.

export type Project = Awaited<ReturnType<typeof scratchProject>>;
export type Entry = { seq: number; at: string; type: string; data: { runId: string; pairId: string; variant: string; task: string; attempt?: number; [key: string]: unknown } };

export const TASKS = ['TASK-001', 'TASK-002', 'TASK-003', 'TASK-004'];
export const PAIRS_PER_TASK = 2;
export const SLOTS = TASKS.length * PAIRS_PER_TASK * 2;

// Settings that would send the CLI to another simulator or run set are not inherited.
const UNSET = ['HARNESS_SIM_URL', 'ANTHROPIC_API_KEY'];

export const hx = (p: Project, args: string[]): Promise<CliResult> => cli(args, { cwd: p.dir, unset: UNSET });

/** The example cut down to four tasks and two pairs each (16 slots), `simulator` merged in, frozen. */
export async function smallProject(simulator: Record<string, unknown> = {}): Promise<Project> {
  const p = await scratchProject();
  await editYaml(path.join(p.expDir, 'experiment.yaml'), (doc) => {
    doc.tasks = TASKS;
    (doc.design as Record<string, unknown>).pairsPerTask = PAIRS_PER_TASK;
    Object.assign(doc.simulator as Record<string, unknown>, simulator);
  });
  // The pre-registration's planned N must match the design, or freeze refuses.
  await editYaml(path.join(p.expDir, 'preregistration.yaml'), (doc) => {
    const planned = doc.plannedN as Record<string, unknown>;
    planned.pairsPerTask = PAIRS_PER_TASK;
    planned.tasks = TASKS.length;
    planned.minimumPairsPerTask = Math.min(Number(planned.minimumPairsPerTask), PAIRS_PER_TASK);
  });
  const r = await hx(p, ['freeze', EXAMPLE]);
  expect(r.exitCode, r.stderr).toBe(0);
  expect((await scheduleOf(p.dir)).length).toBe(SLOTS);
  return p;
}

export const runSetDir = (p: Project): string => path.join(p.dir, 'runs', EXAMPLE);
export const slotsOf = (p: Project): Promise<Slot[]> => scheduleOf(p.dir);
export const slotKey = (s: { pairId: string; variant: string }): string => `${s.pairId}/${s.variant}`;
export const attemptOf = (runId: string): number => Number(/-a(\d+)$/.exec(runId)?.[1]);

export async function registry(p: Project): Promise<Entry[]> {
  const text = await fs.readFile(path.join(runSetDir(p), 'registry.jsonl'), 'utf8');
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Entry);
}

export const ofType = (entries: Entry[], type: string): Entry[] => entries.filter((e) => e.type === type);

/** Run folders of the run set (a subfolder with a manifest), sorted. */
export async function runFolders(p: Project): Promise<string[]> {
  const dir = runSetDir(p);
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(path.join(dir, e.name, 'manifest.json'))).map((e) => e.name).sort();
}

/**
 * What is left in `.claims` once no `run` process is alive: no lock of any kind (owner or slot)
 * and, per slot file, the id of whoever held it last or all zeros when it was let go. Returns the
 * slot files whose claim was never let go (their holder was killed).
 */
export async function claimsNotLetGo(p: Project): Promise<string[]> {
  const dir = path.join(runSetDir(p), '.claims');
  const entries = await fs.readdir(dir);
  expect(entries.filter((e) => e.endsWith('.lock'))).toEqual([]);
  const held: string[] = [];
  for (const e of entries) {
    const id = await fs.readFile(path.join(dir, e), 'utf8');
    expect(id, e).toMatch(/^[0-9a-f]{16}$/);
    if (id !== '0'.repeat(16)) held.push(e);
  }
  return held;
}

export const isLocked = (p: Project, runId: string): boolean => existsSync(path.join(runSetDir(p), runId, 'lock.json'));

/** Locked, not superseded entries per slot: a slot is complete once when it has exactly one. */
export function currentLocked(entries: Entry[]): Map<string, Entry[]> {
  const superseded = new Set(ofType(entries, 'superseded').map((e) => e.data.runId));
  const out = new Map<string, Entry[]>();
  for (const e of ofType(entries, 'locked')) {
    if (superseded.has(e.data.runId)) continue;
    out.set(slotKey(e.data), [...(out.get(slotKey(e.data)) ?? []), e]);
  }
  return out;
}

/** Every scheduled slot has exactly one current locked run, and no run is locked twice. */
export async function expectEachSlotLockedOnce(p: Project): Promise<Map<string, Entry>> {
  const entries = await registry(p);
  const current = currentLocked(entries);
  const slots = await slotsOf(p);
  const bad = slots.filter((s) => current.get(slotKey(s))?.length !== 1).map((s) => `${slotKey(s)}: ${(current.get(slotKey(s)) ?? []).map((e) => e.data.runId).join(' ') || 'none'}`);
  expect(bad).toEqual([]);
  expect(current.size).toBe(slots.length);
  const lockedIds = ofType(entries, 'locked').map((e) => e.data.runId);
  expect(new Set(lockedIds).size).toBe(lockedIds.length);
  for (const [, [e]] of current) expect(isLocked(p, e!.data.runId), e!.data.runId).toBe(true);
  return new Map([...current].map(([k, [e]]) => [k, e!]));
}

export type ProgressRow = Record<string, string>;

export async function progressRows(p: Project): Promise<ProgressRow[]> {
  const [header, ...lines] = (await fs.readFile(path.join(runSetDir(p), 'progress.csv'), 'utf8')).trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
}

/** progress.csv has one complete row per scheduled pair, naming the run standing for each variant. */
export async function expectProgressComplete(p: Project, current: Map<string, Entry>): Promise<void> {
  const slots = await slotsOf(p);
  const rows = await progressRows(p);
  expect(rows.map((r) => r.pair_id)).toEqual([...new Set(slots.map((s) => s.pairId))]);
  for (const row of rows) {
    expect(row.status, row.pair_id).toBe('complete');
    const runs = ['role-centric', 'goal-centric'].map((v) => current.get(slotKey({ pairId: row.pair_id!, variant: v }))!);
    expect([row['run_id_role-centric'], row['run_id_goal-centric']]).toEqual(runs.map((e) => e.data.runId));
    expect(row.completed_at).toBe(runs.map((e) => e.at).sort().at(-1));
  }
}

export async function expectVerifies(p: Project): Promise<void> {
  const [v, pairing] = await Promise.all([hx(p, ['verify', EXAMPLE]), hx(p, ['verify-pairing', '--experiment', EXAMPLE, '--all'])]);
  expect(v.exitCode, v.stdout + v.stderr).toBe(0);
  expect(v.stdout).toMatch(/: clean$/m);
  expect(pairing.exitCode, pairing.stdout + pairing.stderr).toBe(0);
  const pairs = new Set((await slotsOf(p)).map((s) => s.pairId)).size;
  expect(pairing.stdout).toContain(`${pairs}/${pairs} pairs intact`);
}

/** The CLI as a child process the test can kill; `done` resolves when it exits. */
export function startCli(p: Project, args: string[]): { pid: number; exited: () => boolean; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of UNSET) delete env[name];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: p.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let exited = false;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { pid: child.pid!, exited: () => exited, done };
}

/** Polls until `ready` holds (checked every 50 ms), failing after `timeoutMs`. */
export async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
