import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { EXAMPLE, scratchProject, type CliResult } from '../test-support/cli.js';
import { cli, editYaml, freezeCli, scheduleOf, slotArgs } from './execute-support.js';

// The set of four locked runs the verify-tamper tests start from, and what they tamper with it by:
// each tampering is done on a fresh copy of the set, and `verify` (or another command) run on it.

export const RUNS = `runs/${EXAMPLE}`;
export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export type Entry = { seq: number; type: string; data: { runId?: string } };

/** Runs `fn` with `p` made writable by its owner, then puts the mode back: a tamperer covers their tracks. */
export async function asWritable(p: string, fn: () => Promise<void>): Promise<void> {
  const mode = (await fs.stat(p)).mode & 0o7777;
  await fs.chmod(p, mode | 0o200);
  try {
    await fn();
  } finally {
    await fs.chmod(p, mode);
  }
}

export const problems = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.slice(2));
export const registryLines = async (dir: string) => (await fs.readFile(path.join(dir, RUNS, 'registry.jsonl'), 'utf8')).split('\n').slice(0, -1);
export const writeRegistry = (dir: string, lines: string[], end = '\n') => fs.writeFile(path.join(dir, RUNS, 'registry.jsonl'), lines.join('\n') + end);

export interface LockedSet {
  project: Awaited<ReturnType<typeof scratchProject>>;
  runIds: string[];
  /** `verify` on the set as made. */
  clean: CliResult;
  /** The run folder of the i-th run, relative to a copy. */
  run: (i: number) => string;
  /** A copy of the locked set (modes and times kept) inside the scratch project, so cleanup removes it. */
  copyOfSet: () => Promise<string>;
  /** Tampers with a fresh copy, then runs `verify` on it. */
  tampered: (fn: (dir: string) => Promise<void>, args?: string[]) => Promise<CliResult & { dir: string }>;
}

export async function lockedSet(): Promise<LockedSet> {
  const project = await scratchProject();
  // No simulated escape attempts: the registry then ends with a `locked` entry, not a violation.
  await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => {
    for (const b of Object.values((doc.simulator as { behaviour: Record<string, Record<string, number>> }).behaviour)) b.wander = 0;
  });
  await freezeCli(project.dir);
  const slots = (await scheduleOf(project.dir)).slice(0, 4);
  const full = await Promise.all(slots.map((s) => cli(['pin-and-run', '--full', ...slotArgs(s), '--json'], { cwd: project.dir })));
  for (const r of full) expect(r.exitCode, r.stderr).toBe(0);
  const runIds = full.map((r) => (JSON.parse(r.stdout) as { runId: string }).runId);
  let copies = 0;
  const copyOfSet = async (): Promise<string> => {
    const dir = path.join(project.dir, 'copies', String(++copies));
    for (const sub of ['experiments', 'runs']) await fs.cp(path.join(project.dir, sub), path.join(dir, sub), { recursive: true, preserveTimestamps: true });
    return dir;
  };
  return {
    project,
    runIds,
    clean: await cli(['verify', EXAMPLE], { cwd: project.dir }),
    run: (i) => `${RUNS}/${runIds[i]}`,
    copyOfSet,
    tampered: async (fn, args = [EXAMPLE]) => {
      const dir = await copyOfSet();
      await fn(dir);
      return { dir, ...(await cli(['verify', ...args], { cwd: dir })) };
    },
  };
}
