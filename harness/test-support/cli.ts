import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../documents/package-root.js';

export const CLI = path.join(packageRoot, 'dist/bin/harness.cjs');
export const EXAMPLE = 'exp-001-role-vs-goal';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// End-to-end tests drive the built CLI exactly as a user would (`make test` builds it first).
export function harness(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`make build\` (make test does) before the end-to-end tests`);
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 99;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

/** A scratch project: a temp folder with a fresh copy of the example experiment under experiments/. */
export async function scratchProject(): Promise<{ dir: string; expDir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'harness-e2e-'));
  const expDir = path.join(dir, 'experiments', EXAMPLE);
  await fs.cp(path.join(packageRoot, 'experiments', EXAMPLE), expDir, { recursive: true });
  return { dir, expDir, cleanup: () => makeWritableAndRemove(dir) };
}

/** Rewrites a text file through `fn` (a test's edit of an input or a run set). */
export async function editFile(file: string, fn: (text: string) => string): Promise<void> {
  await fs.writeFile(file, fn(await fs.readFile(file, 'utf8')));
}

/** Runs `fn` on a scratch copy of the example, removed afterwards whatever `fn` did. */
export async function inScratchProject(fn: (project: Awaited<ReturnType<typeof scratchProject>>) => Promise<void>): Promise<void> {
  const project = await scratchProject();
  try {
    await fn(project);
  } finally {
    await project.cleanup();
  }
}

// Locked runs are read-only; make them writable again so the temp folder can be removed.
export async function makeWritableAndRemove(dir: string): Promise<void> {
  const walk = async (p: string): Promise<void> => {
    const stat = await fs.lstat(p);
    if (stat.isSymbolicLink()) return;
    await fs.chmod(p, stat.isDirectory() ? 0o755 : 0o644);
    if (stat.isDirectory()) for (const e of await fs.readdir(p)) await walk(path.join(p, e));
  };
  if (existsSync(dir)) await walk(dir);
  await fs.rm(dir, { recursive: true, force: true });
}

/** All files under a folder, relative, sorted: for asserting that nothing was written. */
export async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk('');
  return out.sort();
}

/** The first scheduled slot for a variant, as pin-and-run flags. */
export async function slotFlags(projectDir: string, index: number): Promise<string[]> {
  const schedule = JSON.parse(await fs.readFile(path.join(projectDir, 'runs', EXAMPLE, 'schedule.json'), 'utf8')) as { slots: { task: string; variant: string; seed: number; pairId: string }[] };
  const s = schedule.slots[index]!;
  return ['--experiment', EXAMPLE, '--variant', s.variant, '--task', s.task, '--seed', String(s.seed), '--pair-id', s.pairId];
}
