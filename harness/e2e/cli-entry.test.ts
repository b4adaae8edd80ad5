import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../documents/package-root.js';
import { CLI, EXAMPLE, harness, scratchProject, slotFlags } from '../test-support/cli.js';

// The `harness` command itself: the launcher (dist/bin/harness.cjs) and the program behind it.
describe('the harness command', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const r = await harness(['--version'], { cwd: packageRoot });
    expect(r).toEqual({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('stops quietly with status 141 (as SIGPIPE would) when its reader has gone', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader goes away before the command writes anything
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });
});

describe('from a subfolder of the project', () => {
  it('an experiment id or folder finds the run sets in runs/ beside experiments/, not under the working directory', async () => {
    const project = await scratchProject();
    try {
      expect((await harness(['freeze', EXAMPLE], { cwd: project.dir })).exitCode).toBe(0);
      const tasks = path.join(project.expDir, 'tasks');
      const byId = await harness(['status', EXAMPLE, '--json'], { cwd: tasks });
      expect(byId.exitCode, byId.stderr).toBe(0);
      expect((JSON.parse(byId.stdout) as { progress: { total: { total: number } } }).progress.total.total).toBe(180);
      const byFolder = await harness(['freeze', '.'], { cwd: project.expDir });
      expect(byFolder.exitCode, byFolder.stderr).toBe(0);
      expect(byFolder.stdout).toContain(`${EXAMPLE} is already frozen with these inputs; nothing changed`);
      expect(existsSync(path.join(project.expDir, 'runs'))).toBe(false);
      expect(existsSync(path.join(tasks, 'runs'))).toBe(false);
      // A run pinned from the subfolder records its paths relative to the project, so it is
      // checked, executed and locked the same from the project's root.
      const pinned = await harness(['pin-and-run', '--init', ...(await slotFlags(project.dir, 0)), '--sandbox', 'none', '--json'], { cwd: tasks });
      expect(pinned.exitCode, pinned.stderr).toBe(0);
      const manifestFile = path.resolve(tasks, (JSON.parse(pinned.stdout) as { manifest: string }).manifest);
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { experiment: { path: string; runsPath: string } };
      expect(manifest.experiment).toMatchObject({ path: `experiments/${EXAMPLE}`, runsPath: `runs/${EXAMPLE}` });
      const valid = await harness(['validate-manifest', path.relative(project.dir, manifestFile)], { cwd: project.dir });
      expect(valid.exitCode, valid.stdout + valid.stderr).toBe(0);
      // Its run folder stands for it, as for evaluate and lock-run.
      const validFolder = await harness(['validate-manifest', path.relative(project.dir, path.dirname(manifestFile))], { cwd: project.dir });
      expect(validFolder.exitCode, validFolder.stdout + validFolder.stderr).toBe(0);
      expect(validFolder.stdout).toMatch(/^ok +runs\/exp-001-role-vs-goal\/.*\/manifest\.json$/m);
      const executed = await harness(['pin-and-run', '--execute', '--manifest', manifestFile], { cwd: tasks });
      expect(executed.exitCode, executed.stderr).toBe(0);
    } finally {
      await project.cleanup();
    }
  });
});
