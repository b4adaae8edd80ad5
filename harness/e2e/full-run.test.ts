import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer } from '../providers/sim/server.js';
import { EXAMPLE, scratchProject } from '../test-support/cli.js';
import { cli, freezeCli, scheduleOf, slotArgs, treeDigests, type Slot } from './execute-support.js';

// pin-and-run --full: one command takes a slot from pin to lock; a slot already locked, a slot
// outside the schedule, or an anthropic run set without its key, stops before anything is written.

type Entry = { seq: number; type: string; data: { runId?: string } };

describe('pin-and-run --full', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let slot: Slot;

  beforeAll(async () => {
    project = await scratchProject();
    await Promise.all([freezeCli(project.dir), freezeCli(project.dir, ['--provider', 'anthropic', '--runs-dir', 'runs-anthropic'])]);
    slot = (await scheduleOf(project.dir))[0]!;
  });
  afterAll(() => project.cleanup());

  it('locks a run in one command: lock.json, registry pinned then locked, verify clean', async () => {
    const r = await cli(['pin-and-run', '--full', ...slotArgs(slot)], { cwd: project.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const runId = `${slot.pairId}-${slot.task}-${slot.variant}-a1`;
    const runDir = path.join(project.dir, 'runs', EXAMPLE, runId);
    expect(r.stdout).toMatch(new RegExp(`^locked ${runId}: outcome hidden until every slot is done, as pre-registered \\(end_turn\\)\\n {2}run runs/${EXAMPLE}/${runId}\\n$`));
    for (const f of ['manifest.json', 'agent.log', 'scorecard.json', 'evaluation.log', 'lock.json', 'SHA256SUMS']) expect(existsSync(path.join(runDir, f)), f).toBe(true);
    const lock = JSON.parse(await fs.readFile(path.join(runDir, 'lock.json'), 'utf8')) as { runId: string };
    // Executing it again is refused with the way to redo a locked run, in its own run set.
    const again = await cli(['pin-and-run', '--execute', '--manifest', path.join('runs', EXAMPLE, runId, 'manifest.json')], { cwd: project.dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`hint: it is locked; to redo it: \`harness rerun ${runId} --reason "…"\` (the old run is kept and marked superseded)`);
    expect(lock.runId).toBe(runId);
    const entries = (await fs.readFile(path.join(project.dir, 'runs', EXAMPLE, 'registry.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Entry);
    expect(entries.filter((e) => e.data.runId === runId).map((e) => e.type).filter((t) => t !== 'violation')).toEqual(['pinned', 'locked']);
    expect(entries[0]!.type).toBe('frozen');
    const verified = await cli(['verify', EXAMPLE], { cwd: project.dir });
    expect(verified.exitCode, verified.stdout).toBe(0);
    expect(verified.stdout).toBe(`verified 1 locked run and ${entries.length} registry entries: clean\n`);
  });

  it('a slot whose result is locked is not pinned again by hand (exit 2, nothing written): the hint names rerun', async () => {
    const before = await treeDigests(project.dir);
    const runId = `${slot.pairId}-${slot.task}-${slot.variant}-a1`;
    for (const stage of ['--init', '--full']) {
      const r = await cli(['pin-and-run', stage, ...slotArgs(slot)], { cwd: project.dir });
      expect(r.exitCode, stage).toBe(2);
      expect(r.stderr).toContain(`error: ${slot.pairId} of ${slot.task} for ${slot.variant} already has a locked result, ${runId}\n`);
      expect(r.stderr).toContain(`hint: to redo it, run \`harness rerun ${runId} --reason "…"\``);
    }
    expect(await treeDigests(project.dir)).toEqual(before);
  });

  it('a slot not in the schedule stops at the first stage (exit 2) with its message, writing nothing', async () => {
    const before = await treeDigests(project.dir);
    const args = slotArgs(slot);
    args[args.indexOf('--seed') + 1] = String(slot.seed + 1);
    const r = await cli(['pin-and-run', '--full', ...args], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: not a slot of the frozen schedule: ${slot.pairId} of ${slot.task} has seed ${slot.seed} in the schedule, not ${slot.seed + 1}$`, 'm'));
    expect(r.stderr).toMatch(/^hint: pick a slot from .*schedule\.json, or pass --adhoc/m);
    expect(r.stdout).toBe('');
    expect(await treeDigests(project.dir)).toEqual(before);
  });

  it('an anthropic run set without ANTHROPIC_API_KEY stops before creating anything (exit 2)', async () => {
    const before = await treeDigests(project.dir);
    const s = (await scheduleOf(project.dir, 'runs-anthropic'))[0]!;
    const r = await cli(['pin-and-run', '--full', ...slotArgs(s), '--runs-dir', 'runs-anthropic'], { cwd: project.dir, unset: ['ANTHROPIC_API_KEY'] });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: provider anthropic needs ANTHROPIC_API_KEY, which is not set$/m);
    expect(r.stderr).toMatch(/^hint: export ANTHROPIC_API_KEY=/m);
    expect(r.stdout).toBe('');
    expect(await treeDigests(project.dir)).toEqual(before);
    expect((await fs.readdir(path.join(project.dir, 'runs-anthropic', EXAMPLE))).sort()).toEqual(['.records-through', 'experiment.lock.json', 'registry.jsonl', 'schedule.json']);
    // Asking for another provider than the set's is the mistake named first, key or no key.
    const other = await cli(['run', EXAMPLE, '--provider', 'sim', '--runs-dir', 'runs-anthropic'], { cwd: project.dir, unset: ['ANTHROPIC_API_KEY'] });
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toMatch(/^error: exp-001-role-vs-goal's run set in runs-anthropic\/exp-001-role-vs-goal was frozen for provider anthropic, not sim; runs from both would mix providers in one experiment$/m);
    expect(other.stderr).toContain('hint: keep providers apart, as make does: `harness freeze exp-001-role-vs-goal --provider sim --runs-dir runs/sim`, then give the same --runs-dir to every command');
    expect(await treeDigests(project.dir)).toEqual(before);
  });

  it('an ANTHROPIC_BASE_URL that is not an http(s) address is refused (exit 2) before anything is written', async () => {
    const before = await treeDigests(project.dir);
    const r = await cli(['run', EXAMPLE, '--runs-dir', 'runs-anthropic'], { cwd: project.dir, env: { ANTHROPIC_API_KEY: 'sk-ant-not-a-key', ANTHROPIC_BASE_URL: '127.0.0.1:8377' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: ANTHROPIC_BASE_URL is "127\.0\.0\.1:8377", which is not an http\(s\) address$/m);
    expect(await treeDigests(project.dir)).toEqual(before);
  });

  it('credentials the API refuses (HTTP 401) end the whole run at once (exit 2): no retries, no further slot started', async () => {
    // The simulator's server answers a key it did not issue as the API does: 401 authentication_error.
    const server = await startSimServer();
    try {
      const r = await cli(['run', EXAMPLE, '--runs-dir', 'runs-anthropic', '-j', '2'], {
        cwd: project.dir, env: { ANTHROPIC_API_KEY: 'sk-ant-not-a-key', ANTHROPIC_BASE_URL: server.url },
      });
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: the Messages API refused the credentials \(HTTP 401: .*\); no further run is started$/m);
      expect(r.stderr).toContain('hint: check ANTHROPIC_API_KEY');
      const entries = (await fs.readFile(path.join(project.dir, 'runs-anthropic', EXAMPLE, 'registry.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Entry);
      expect(entries.filter((e) => e.type === 'retried' || e.type === 'locked')).toEqual([]);
      // A handful pinned (those running or pinned ahead when the refusal came), not the schedule's 180.
      const pinned = entries.filter((e) => e.type === 'pinned');
      expect(pinned.length).toBeLessThan(20);
      // Where the requests went is pinned: execution uses it, and a pair's two runs share it.
      const manifest = JSON.parse(await fs.readFile(path.join(project.dir, 'runs-anthropic', EXAMPLE, pinned[0]!.data.runId!, 'manifest.json'), 'utf8')) as { provider: { baseUrl?: string } };
      expect(manifest.provider.baseUrl).toBe(server.url);
    } finally {
      await server.close();
    }
  });
});
