import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, EXAMPLE, filesUnder, inScratchProject, scratchProject } from '../test-support/cli.js';
import { cli, editYaml, executeCli, freezeCli, initCli, scheduleOf, slotArgs, type Slot } from './execute-support.js';

// An execution cut off by a crash (agent.log without run_end) is an attempt, not a result: evaluate
// refuses it, so it can never be locked and counted as the variant's failure; `run --only` on its
// slot registers it as abandoned and locks a new attempt.

describe('evaluate on an execution that never finished', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let slot: Slot;
  let runDir: string;
  let refused: Awaited<ReturnType<typeof cli>>;
  let unchanged: boolean;

  beforeAll(async () => {
    project = await scratchProject();
    await freezeCli(project.dir);
    slot = (await scheduleOf(project.dir))[0]!;
    const manifest = await initCli(project.dir, slot);
    runDir = path.dirname(manifest);
    expect((await executeCli(project.dir, manifest)).exitCode).toBe(0);
    // What a kill in the middle of the agent loop leaves: the trace up to its first events.
    const trace = path.join(runDir, 'agent.log');
    await fs.writeFile(trace, (await fs.readFile(trace, 'utf8')).split('\n').slice(0, 2).join('\n') + '\n');
    const before = await filesUnder(path.join(project.dir, 'runs'));
    refused = await cli(['evaluate', '--manifest', manifest], { cwd: project.dir });
    unchanged = JSON.stringify(await filesUnder(path.join(project.dir, 'runs'))) === JSON.stringify(before);
  }, 60_000);
  afterAll(() => project.cleanup());

  it('is refused (exit 2) as no result, writing no scorecard, with the command that redoes the slot', () => {
    const runId = path.basename(runDir);
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^error: ${runId} is not a result: its execution never finished \\(agent\\.log has no run_end: it is still running, or was cut off by a crash or a kill\\); it is never evaluated or locked$`, 'm'));
    expect(refused.stderr).toContain(`hint: \`harness run ${EXAMPLE} --only pair=${slot.pairId},variant=${slot.variant}\` gives it up (if it is not already) and runs its slot again`);
    expect(unchanged).toBe(true);
  });

  it('pinning the slot again is refused with the same way out, not with finishing it', async () => {
    const again = await cli(['pin-and-run', '--init', ...slotArgs(slot)], { cwd: project.dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`hint: its execution never finished (agent.log has no run_end: it is still running, or was cut off by a crash or a kill), so it is no result and is never evaluated or locked: \`harness run ${EXAMPLE} --only pair=${slot.pairId},variant=${slot.variant}\` gives it up`);
  });

  it('status names the unfinished attempt', async () => {
    const r = await cli(['status', EXAMPLE, '--json'], { cwd: project.dir });
    expect(JSON.parse(r.stdout)).toMatchObject({ unfinished: [path.basename(runDir)] });
    const text = await cli(['status', EXAMPLE], { cwd: project.dir });
    expect(text.stdout).toContain(`note: 1 attempt is neither locked nor given up (under way, or left unfinished; \`harness run ${EXAMPLE}\` gives up each one of the slots it runs, even one being worked on by hand, and runs its slot again):\n  ${path.basename(runDir)}\n`);
  });

  it('the hint works: run --only on that one slot registers the attempt as abandoned and locks a second one', async () => {
    const r = await cli(['run', EXAMPLE, '--only', `pair=${slot.pairId},variant=${slot.variant}`, '--json'], { cwd: project.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    // Exactly that slot: the rest of the set stays as it was.
    expect(JSON.parse(r.stdout)).toMatchObject({ slots: 1, executed: 1, locked: 1, abandoned: 1 });
    const entries = (await fs.readFile(path.join(project.dir, 'runs', EXAMPLE, 'registry.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; data: { runId: string } });
    const runId = path.basename(runDir);
    expect(entries.filter((e) => e.data.runId === runId).map((e) => e.type)).toEqual(['pinned', 'abandoned']);
    expect(JSON.parse((await cli(['status', EXAMPLE, '--json'], { cwd: project.dir })).stdout)).toMatchObject({ unfinished: [] });
    const locked = entries.filter((e) => e.type === 'locked').map((e) => e.data.runId);
    expect(locked).toContain(runId.replace(/-a1$/, '-a2'));
    expect(locked).not.toContain(runId);
  });
});

describe('pin-and-run --full on an attempt that fails for infrastructure reasons', () => {
  it('gives the attempt up (registered abandoned, with its cause), so the slot can be pinned again', async () => {
    await inScratchProject(async (project) => {
      // Every response is garbled: an infrastructure failure the SDK does not retry.
      await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => { (doc.simulator as Record<string, unknown>).faults = { rate: 1, kinds: ['malformed'] }; });
      await freezeCli(project.dir);
      const slot = (await scheduleOf(project.dir))[0]!;
      const full = await cli(['pin-and-run', '--full', ...slotArgs(slot), '--json'], { cwd: project.dir });
      expect(full.exitCode, full.stderr).toBe(1);
      const result = JSON.parse(full.stdout) as { runId: string; stage: string; infrastructureError: string };
      expect(result).toMatchObject({ stage: 'execute', infrastructureError: expect.any(String) });
      const entries = (await fs.readFile(path.join(project.dir, 'runs', EXAMPLE, 'registry.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; data: { runId: string; reason?: string } });
      expect(entries.filter((e) => e.data.runId === result.runId).map((e) => e.type)).toEqual(['pinned', 'abandoned']);
      expect(entries.at(-1)!.data.reason).toMatch(/^infrastructure failure by hand, not retried: /);
      expect(path.basename(path.dirname(await initCli(project.dir, slot)))).toBe(result.runId.replace(/-a1$/, '-a2'));
    });
  }, 60_000);
});

describe('run on a slot whose attempt was evaluated by hand but never locked', () => {
  it('gives it up saying its result was set aside, with the outcome, for the audit to list', async () => {
    await inScratchProject(async (project) => {
      await freezeCli(project.dir);
      const slot = (await scheduleOf(project.dir))[0]!;
      const manifest = await initCli(project.dir, slot);
      expect((await executeCli(project.dir, manifest)).exitCode).toBe(0);
      expect((await cli(['evaluate', '--manifest', manifest], { cwd: project.dir })).exitCode).toBe(0);
      const r = await cli(['run', EXAMPLE, '--only', `pair=${slot.pairId},variant=${slot.variant}`], { cwd: project.dir });
      expect(r.exitCode, r.stderr).toBe(0);
      const entries = (await fs.readFile(path.join(project.dir, 'runs', EXAMPLE, 'registry.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; data: { runId: string; reason?: string } });
      const given = entries.find((e) => e.type === 'abandoned' && e.data.runId === path.basename(path.dirname(manifest)))!;
      expect(given.data.reason).toMatch(/^never locked, though evaluated \((success|failed checks)\): set aside, and its slot run again$/);
      // Given up, it has nothing left to do: no hint sends it to evaluate or lock-run, which refuse it.
      const again = await cli(['pin-and-run', '--execute', '--manifest', manifest], { cwd: project.dir });
      expect(again.exitCode).toBe(2);
      expect(again.stderr).toMatch(/^hint: it was given up \(registered abandoned\), so it is never finished or locked: its slot has a newer attempt, or gets one when you pin it again$/m);
    });
  }, 60_000);
});

describe('a slot a run is working on, pinned by hand meanwhile', () => {
  it('is refused (exit 2): pin-and-run takes the slot claim as run does, so neither gives up the other\'s attempt', async () => {
    await inScratchProject(async (project) => {
      // Each model call takes 2 s: the run holds its first slot's claim for a few seconds.
      await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => { (doc.simulator as Record<string, unknown>).latencyMs = 2000; });
      await freezeCli(project.dir);
      const slot = (await scheduleOf(project.dir))[0]!;
      const running = spawn(process.execPath, [CLI, 'run', EXAMPLE, '-j', '1'], { cwd: project.dir, stdio: 'ignore' });
      try {
        const claim = path.join(project.dir, 'runs', EXAMPLE, '.claims', `${slot.pairId}-${slot.task}-${slot.variant}`);
        await expect.poll(() => fs.readFile(claim, 'utf8').catch(() => ''), { timeout: 10_000 }).toMatch(/^[0-9a-f]{16}$/);
        const full = await cli(['pin-and-run', '--full', ...slotArgs(slot)], { cwd: project.dir });
        expect(full.exitCode).toBe(2);
        expect(full.stderr).toMatch(new RegExp(`^error: another process is working on ${slot.pairId}-${slot.task}-${slot.variant} \\(a \`run\`, or another pin-and-run\\)$`, 'm'));
      } finally {
        running.kill('SIGKILL');
      }
    });
  }, 60_000);
});
