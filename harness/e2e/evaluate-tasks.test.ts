import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scorecard } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';
import { scratchProject } from '../test-support/cli.js';
import { cli, editYaml, executeCli, firstSlots, freezeCli, initCli, scheduleOf, treeDigests, type Slot } from './execute-support.js';

// `evaluate` on each example task, run on the simulator with two controlled agents: role-centric
// follows every script step as written (so every check must pass), goal-centric takes every
// step's seeded mistake (so a required check must fail, and be named). A re-evaluation of an
// unlocked run replaces its scorecard; a locked run is never re-evaluated.

const METRICS = [
  'constraintAdherence', 'clarifications', 'turns', 'toolCalls', 'toolErrors', 'inputTokens', 'outputTokens',
  'cacheCreationTokens', 'cacheReadTokens', 'totalTokens', 'costUsd', 'wallTimeSeconds', 'retries',
];
const FAITHFUL = { skip: 0, mistake: 0, clarify: 1, giveUp: 0, wander: 0, verbosity: 1 };
const MISTAKEN = { skip: 0, mistake: 1, clarify: 1, giveUp: 0, wander: 0, verbosity: 1 };

type Evaluated = { runId: string; scorecard: string; replaced: boolean; success: boolean; failedChecks: { id: string; reason: string; required: boolean }[] };
interface Run { slot: Slot; runDir: string; exitCode: number; stdout: string; stderr: string; card: Scorecard }

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await fs.readFile(file, 'utf8')) as T;

describe('evaluate on the six example tasks (simulator)', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  const runs = new Map<string, Run>();

  beforeAll(async () => {
    project = await scratchProject();
    await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => {
      (doc.simulator as { behaviour: Record<string, unknown> }).behaviour = { 'role-centric': FAITHFUL, 'goal-centric': MISTAKEN };
    });
    await freezeCli(project.dir);
    const first = firstSlots(await scheduleOf(project.dir));
    const manifests = await Promise.all(first.map((s) => initCli(project.dir, s)));
    const executed = await Promise.all(manifests.map((m) => executeCli(project.dir, m)));
    executed.forEach((e, i) => expect(e.exitCode, e.stderr).toBe(0));
    const evaluated = await Promise.all(manifests.map((m) => cli(['evaluate', '--manifest', m], { cwd: project.dir })));
    for (const [i, slot] of first.entries()) {
      const runDir = path.dirname(manifests[i]!);
      runs.set(slot.task, { slot, runDir, ...evaluated[i]!, card: await readJson<Scorecard>(path.join(runDir, 'scorecard.json')) });
    }
  }, 120_000);
  afterAll(() => project.cleanup());

  it('both controlled agents are among the first slots', () => {
    expect([...runs.keys()]).toEqual(['TASK-001', 'TASK-002', 'TASK-003', 'TASK-004', 'TASK-005', 'TASK-006']);
    const variants = new Set([...runs.values()].map((r) => r.slot.variant));
    expect(variants).toEqual(new Set(['role-centric', 'goal-centric']));
  });

  for (const task of ['TASK-001', 'TASK-002', 'TASK-003', 'TASK-004', 'TASK-005', 'TASK-006']) {
    it(`${task}: a schema-valid scorecard with every metric present, in range, not null`, async () => {
      const run = runs.get(task)!;
      expect(run.exitCode, run.stderr).toBe(0);
      const manifest = await readJson<{ runId: string; task: { id: string } }>(path.join(run.runDir, 'manifest.json'));
      expect(schemaProblems('scorecard', run.card)).toEqual([]);
      expect(run.card).toMatchObject({ schemaVersion: 1, runId: manifest.runId, stopReason: 'end_turn', provider: 'sim' });
      expect(Object.keys(run.card.metrics).sort()).toEqual([...METRICS].sort());
      for (const [k, v] of Object.entries(run.card.metrics)) {
        expect(typeof v, k).toBe('number');
        expect(Number.isFinite(v) && v >= 0, `${k} = ${v}`).toBe(true);
      }
      const m = run.card.metrics;
      expect(m.constraintAdherence).toBeLessThanOrEqual(100);
      expect(m.turns).toBeGreaterThan(0);
      expect(m.toolCalls).toBeGreaterThan(0);
      expect(m.totalTokens).toBe(m.inputTokens + m.outputTokens + m.cacheCreationTokens + m.cacheReadTokens);
      expect(m.costUsd).toBeGreaterThan(0);
      // The task's checks, every one of them, in the task's order.
      const spec = await fs.readFile(path.join(project.expDir, 'tasks', task, 'task.yaml'), 'utf8');
      const checkIds = [...spec.matchAll(/^ {2}- id: (\S+)$/gm)].map((x) => x[1]);
      expect(run.card.checks.map((c) => c.id)).toEqual(checkIds);
      expect(run.card.success).toBe(run.card.checks.every((c) => !c.required || c.passed));
      // evaluation.log says what each check saw.
      const log = await fs.readFile(path.join(run.runDir, 'evaluation.log'), 'utf8');
      for (const c of run.card.checks) expect(log).toContain(`${c.passed ? 'PASS' : 'FAIL'} ${c.id} [${c.kind}`);
      expect(log).toContain(`success: ${run.card.success} (stop reason: end_turn)`);
    });
  }

  it('a faithful transcript passes every check of its task', () => {
    const faithful = [...runs.values()].filter((r) => r.slot.variant === 'role-centric');
    expect(faithful.length).toBeGreaterThan(0);
    for (const r of faithful) {
      expect(r.card.checks.filter((c) => !c.passed), r.slot.task).toEqual([]);
      expect(r.card.success).toBe(true);
      expect(r.stdout).toMatch(new RegExp(`^evaluated ${r.card.runId}: success$`, 'm'));
      expect(r.stdout).not.toMatch(/failed/);
    }
  });

  it('when the simulated agent errs, the failing required check is named in the scorecard and in the output', () => {
    const mistaken = [...runs.values()].filter((r) => r.slot.variant === 'goal-centric');
    expect(mistaken.length).toBeGreaterThan(0);
    for (const r of mistaken) {
      const failed = r.card.checks.filter((c) => c.required && !c.passed);
      expect(failed.length, `${r.slot.task}: no required check failed`).toBeGreaterThan(0);
      expect(r.card.success).toBe(false);
      expect(r.stdout).toMatch(new RegExp(`^evaluated ${r.card.runId}: FAILED$`, 'm'));
      for (const c of failed) {
        expect(c.reason).not.toBe('');
        expect(r.stdout).toContain(`  failed ${c.id}: ${c.reason}`);
      }
    }
    // TASK-001's mistake writes "Hello Ada!" without the comma.
    const t1 = runs.get('TASK-001')!;
    expect(t1.slot.variant).toBe('goal-centric');
    expect(t1.card.checks.find((c) => c.id === 'greeting-content')).toMatchObject({ required: true, passed: false, reason: expect.stringMatching(/^greeting\.txt differs from the expected content/) });
    expect(t1.stdout).toMatch(/^ {2}failed greeting-content: greeting\.txt differs from the expected content/m);
  });

  it('--json lists the failed checks', async () => {
    const t1 = runs.get('TASK-001')!;
    // Evaluating again replaces the scorecard; the JSON says so.
    const r = await cli(['evaluate', '--manifest', t1.runDir, '--json'], { cwd: project.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Evaluated;
    expect(out).toMatchObject({ runId: t1.card.runId, replaced: true, success: false });
    expect(out.failedChecks).toContainEqual({ id: 'greeting-content', reason: expect.stringMatching(/differs/), required: true });
  });

  it('re-evaluating an unlocked run replaces its scorecard', async () => {
    const t1 = runs.get('TASK-001')!;
    const before = await fs.readFile(path.join(t1.runDir, 'scorecard.json'), 'utf8');
    // Put right what the agent got wrong: the new scorecard must see the file as it is now.
    await fs.writeFile(path.join(t1.runDir, 'outputs', 'greeting.txt'), 'Hello, Ada!\nWelcome to the platform team. Your first standup is Monday at 09:30.\n');
    const r = await cli(['evaluate', '--manifest', path.join(t1.runDir, 'manifest.json')], { cwd: project.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^re-evaluated ${t1.card.runId}: success$`, 'm'));
    const after = await fs.readFile(path.join(t1.runDir, 'scorecard.json'), 'utf8');
    expect(after).not.toBe(before);
    const card = JSON.parse(after) as Scorecard;
    expect(schemaProblems('scorecard', card)).toEqual([]);
    expect(card.success).toBe(true);
    expect(card.checks.find((c) => c.id === 'greeting-content')).toMatchObject({ passed: true });
    expect(Date.parse(card.evaluatedAt)).toBeGreaterThan(Date.parse(t1.card.evaluatedAt));
    expect(await fs.readFile(path.join(t1.runDir, 'evaluation.log'), 'utf8')).toMatch(/^PASS greeting-content /m);
  });

  it('evaluating a locked run is refused (exit 2) and changes nothing', async () => {
    const run = [...runs.values()].find((r) => r.slot.variant === 'role-centric')!;
    const locked = await cli(['lock-run', run.runDir], { cwd: project.dir });
    expect(locked.exitCode, locked.stderr).toBe(0);
    const before = await treeDigests(project.dir);
    const r = await cli(['evaluate', '--manifest', path.join(run.runDir, 'manifest.json')], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${run.card.runId} is locked; a locked run is never re-evaluated$`, 'm'));
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).toBe('');
    expect(await treeDigests(project.dir)).toEqual(before);
  });
});
