import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, scratchProject } from '../test-support/cli.js';
import { editYaml } from './execute-support.js';
import { hx, ofType, registry, runFolders, runSetDir, type Project } from './run-support.js';

// `harness run` with an external agent program (provider command) in the bubblewrap sandbox, on
// one pair of TASK-001: a program that cannot be started is an infrastructure failure (retried,
// never locked), and what an agent leaves in its workspace that the file tools would refuse (a
// fifo, links pointing out) is locked as it is, verifies clean, and is recorded as violations.

const ODD_AGENT = `#!/bin/sh
printf 'Hello, Ada!\\nWelcome to the platform team. Your first standup is Monday at 09:30.\\n' > greeting.txt
mkfifo fifo
ln -s /etc/hostname link-out
ln -s ../../.. updir
ln -s greeting.txt link-in
`;

/** The example cut down to one pair of TASK-001, run by `argv` (agent/agent.sh holds `script`), frozen. */
async function commandProject(argv: string[], script?: string): Promise<Project> {
  const p = await scratchProject();
  if (script !== undefined) {
    await fs.mkdir(path.join(p.expDir, 'agent'));
    await fs.writeFile(path.join(p.expDir, 'agent', 'agent.sh'), script, { mode: 0o755 });
  }
  await editYaml(path.join(p.expDir, 'experiment.yaml'), (doc) => {
    doc.tasks = ['TASK-001'];
    (doc.design as Record<string, unknown>).pairsPerTask = 1;
    doc.provider = { name: 'command', command: { argv } };
  });
  await editYaml(path.join(p.expDir, 'preregistration.yaml'), (doc) => {
    doc.plannedN = { ...(doc.plannedN as object), pairsPerTask: 1, tasks: 1, minimumPairsPerTask: 1 };
  });
  const r = await hx(p, ['freeze', EXAMPLE]);
  expect(r.exitCode, r.stderr).toBe(0);
  return p;
}

const projects: Project[] = [];
afterAll(() => Promise.all(projects.map((p) => p.cleanup())));

describe('an agent program that cannot be started (not on the sandbox PATH)', () => {
  let p: Project;
  let run: Awaited<ReturnType<typeof hx>>;
  beforeAll(async () => {
    p = await commandProject(['no-such-agent-program']);
    projects.push(p);
    run = await hx(p, ['run', EXAMPLE]);
  }, 60_000);

  it('is an infrastructure failure: each attempt retried with its cause, then abandoned, none locked', async () => {
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('executed 6 runs: 0 locked, 6 infrastructure failures, 4 retries, 2 attempts registered abandoned\nlast infrastructure failure: agent program could not be started (exit 127): bwrap: execvp no-such-agent-program: No such file or directory\n');
    const entries = await registry(p);
    expect(ofType(entries, 'locked')).toEqual([]);
    expect(ofType(entries, 'abandoned')).toHaveLength(2);
    const causes = new Set(ofType(entries, 'retried').map((e) => e.data.cause));
    expect([...causes]).toEqual(['agent program could not be started (exit 127): bwrap: execvp no-such-agent-program: No such file or directory']);
    for (const runId of await runFolders(p)) expect(existsSync(path.join(runSetDir(p), runId, 'lock.json')), runId).toBe(false);
  });
});

describe('an agent that leaves a fifo and symlinks (one pointing in, two out) in its workspace', () => {
  let p: Project;
  let run: Awaited<ReturnType<typeof hx>>;
  let runIds: string[];
  const runFile = async (runId: string, file: string) => JSON.parse(await fs.readFile(path.join(runSetDir(p), runId, file), 'utf8'));
  beforeAll(async () => {
    p = await commandProject(['agent/agent.sh'], ODD_AGENT);
    projects.push(p);
    run = await hx(p, ['run', EXAMPLE]);
    runIds = await runFolders(p);
  }, 60_000);

  it('is locked with its special file and links listed in lock.json', async () => {
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(runIds).toHaveLength(2);
    for (const runId of runIds) {
      const lock = await runFile(runId, 'lock.json');
      expect(lock.special).toEqual([{ path: 'outputs/fifo', type: 'fifo' }]);
      expect(lock.links).toEqual([
        { path: 'outputs/link-in', target: 'greeting.txt' },
        { path: 'outputs/link-out', target: '/etc/hostname' },
        { path: 'outputs/updir', target: '../../..' },
      ]);
    }
  });

  it('verifies clean, and a later run finds every slot locked and verified', async () => {
    const verify = await hx(p, ['verify', EXAMPLE]);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/: clean$/m);
    const again = await hx(p, ['run', EXAMPLE]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toBe('2/2 up to date\n');
  });

  it('the scorecard records the links pointing out and the fifo as violations, and only_files counts them', async () => {
    for (const runId of runIds) {
      const scorecard = await runFile(runId, 'scorecard.json');
      expect(scorecard.violations).toEqual([
        { rule: 'outputs-special-file', critical: false, message: 'outputs/fifo: a fifo left in the workspace; outputs hold regular files, folders and links inside the workspace' },
        { rule: 'outputs-symlink-escape', critical: true, message: 'outputs/link-out: a symlink to /etc/hostname, outside the workspace' },
        { rule: 'outputs-symlink-escape', critical: true, message: 'outputs/updir: a symlink to ../../.., outside the workspace' },
      ]);
      expect(scorecard.checks.find((c: { id: string }) => c.id === 'no-other-files')).toMatchObject({
        passed: false, reason: 'unexpected files: fifo (fifo), link-in (symlink), link-out (symlink), updir (symlink)',
      });
      // Constraint items: no-other-files (failed), readme-unchanged (passed) and the 3 violations.
      expect(scorecard.metrics.constraintAdherence).toBe(20);
    }
    const violations = ofType(await registry(p), 'violation');
    expect(violations).toHaveLength(6);
    expect(violations.filter((v) => v.data.severity === 'critical').map((v) => v.data.action)).toEqual(Array(4).fill('Found in the outputs by the evaluator; run kept and flagged for review'));
  });

  it('a special file that appears or goes after locking is still caught by verify (exit 1, named)', async () => {
    const outputs = (i: number) => path.join(runSetDir(p), runIds[i]!, 'outputs');
    await Promise.all([0, 1].map((i) => fs.chmod(outputs(i), 0o755)));
    execFileSync('mkfifo', [path.join(outputs(0), 'fifo2')]);
    await fs.rm(path.join(outputs(1), 'fifo'));
    await Promise.all([0, 1].map((i) => fs.chmod(outputs(i), 0o555)));
    const verify = await hx(p, ['verify', EXAMPLE]);
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout.split('\n').filter((l) => l.startsWith('  '))).toEqual([
      `  runs/${EXAMPLE}/${runIds[0]}/outputs/fifo2: a special file (fifo) appeared after locking`,
      `  runs/${EXAMPLE}/${runIds[1]}/outputs/fifo: special file deleted (was a fifo)`,
    ]);
  });
});
