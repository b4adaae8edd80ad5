import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { AuditReport } from '../core/types/index.js';
import { EXAMPLE, harness, makeWritableAndRemove, scratchProject, type CliResult } from '../test-support/cli.js';

// Shared by the analyze-*.test.ts and audit-*.test.ts files: a small honest run set (4 tasks × 3
// pairs × 2 variants = 24 runs, ~10 s) built once per file, and copies of it for destructive cases.

export interface Project {
  dir: string;
  expDir: string;
  runsDir: string;
  cleanup: () => Promise<void>;
}

export const TASKS = ['TASK-001', 'TASK-002', 'TASK-003', 'TASK-004'];
export const PAIRS_PER_TASK = 3;

const replaceOnce = async (file: string, pairs: [RegExp, string][]): Promise<void> => {
  let text = await fs.readFile(file, 'utf8');
  for (const [re, to] of pairs) {
    expect(re.test(text), `${path.basename(file)}: ${re}`).toBe(true);
    text = text.replace(re, to);
  }
  await fs.writeFile(file, text);
};

/** A scratch copy of the example cut to TASK-001..TASK-004 with 3 pairs each, config and pre-registration agreeing. */
export async function smallProject(): Promise<Project> {
  const p = await scratchProject();
  await replaceOnce(path.join(p.expDir, 'experiment.yaml'), [[/^ {2}- TASK-005\n {2}- TASK-006\n/m, ''], [/pairsPerTask: 15/, `pairsPerTask: ${PAIRS_PER_TASK}`]]);
  await replaceOnce(path.join(p.expDir, 'preregistration.yaml'), [
    [/pairsPerTask: 15/, `pairsPerTask: ${PAIRS_PER_TASK}`], [/tasks: 6/, `tasks: ${TASKS.length}`], [/minimumPairsPerTask: 10/, `minimumPairsPerTask: ${PAIRS_PER_TASK}`],
  ]);
  return { ...p, runsDir: path.join(p.dir, 'runs', EXAMPLE) };
}

/** A copy of a project (run folders stay read-only: modes are preserved), for one destructive case. */
export async function copyProject(src: Project): Promise<Project> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'harness-e2e-copy-'));
  await fs.cp(src.dir, dir, { recursive: true, preserveTimestamps: true });
  return { dir, expDir: path.join(dir, 'experiments', EXAMPLE), runsDir: path.join(dir, 'runs', EXAMPLE), cleanup: () => makeWritableAndRemove(dir) };
}

/** The CLI, expecting an exit code (the message shows stderr and stdout when it differs). */
export async function ok(p: Project, args: string[], exitCode = 0): Promise<CliResult> {
  const r = await harness(args, { cwd: p.dir });
  expect(r.exitCode, `harness ${args.join(' ')}\n${r.stderr}\n${r.stdout.slice(-3000)}`).toBe(exitCode);
  return r;
}

export const freeze = (p: Project, extra: string[] = []) => ok(p, ['freeze', EXAMPLE, ...extra]);
export const run = (p: Project, extra: string[] = []) => ok(p, ['run', EXAMPLE, '-j', '6', ...extra]);

/**
 * A small project run to completion, and a copy of it taken when only TASK-001's pairs had run
 * (frozen, incomplete: outcomes are blinded there).
 */
export async function completeAndPartial(): Promise<{ complete: Project; partial: Project }> {
  const complete = await smallProject();
  await freeze(complete);
  await run(complete, ['--only', 'task=TASK-001']);
  const partial = await copyProject(complete);
  await run(complete);
  return { complete, partial };
}

export type Entry = { seq: number; type: string; at: string; data: Record<string, unknown>; digest: { sha256: string } };

export async function registry(p: Project): Promise<Entry[]> {
  return (await fs.readFile(path.join(p.runsDir, 'registry.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Entry);
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

/** `audit --json`: its exit code and the audit; the printed audit is the one written to audit.json. */
export async function auditOf(p: Project): Promise<{ exitCode: number; audit: AuditReport }> {
  const r = await harness(['audit', EXAMPLE, '--json'], { cwd: p.dir });
  expect([0, 1], r.stderr).toContain(r.exitCode);
  const audit = JSON.parse(r.stdout) as AuditReport;
  expect(await readJson<AuditReport>(path.join(p.runsDir, 'audit', 'audit.json'))).toEqual(audit);
  return { exitCode: r.exitCode, audit };
}

export function checkOf(audit: AuditReport, id: string): AuditReport['checks'][number] {
  const c = audit.checks.find((x) => x.id === id);
  expect(c, `audit check ${id}`).toBeDefined();
  return c!;
}

/** Ids of the checks that failed. */
export const failed = (audit: AuditReport) => audit.checks.filter((c) => c.status === 'FAIL').map((c) => c.id).sort();

export interface RunInfo { runId: string; pairId: string; task: string; variant: string; attempt: number; success: boolean }

/** Every run folder with a scorecard, read from its manifest and scorecard (not from the registry). */
export async function runsOnDisk(p: Project): Promise<RunInfo[]> {
  const out: RunInfo[] = [];
  for (const name of (await fs.readdir(p.runsDir)).filter((n) => n.startsWith('pair-')).sort()) {
    const dir = path.join(p.runsDir, name);
    if (!existsSync(path.join(dir, 'scorecard.json'))) continue;
    const m = await readJson<{ runId: string; slot: { pairId: string; attempt: number }; task: { id: string }; variant: { id: string } }>(path.join(dir, 'manifest.json'));
    const s = await readJson<{ success: boolean }>(path.join(dir, 'scorecard.json'));
    out.push({ runId: m.runId, pairId: m.slot.pairId, task: m.task.id, variant: m.variant.id, attempt: m.slot.attempt, success: s.success });
  }
  return out;
}
