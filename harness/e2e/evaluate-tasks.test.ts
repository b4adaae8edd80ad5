import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scorecard } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';
import { scratchProject } from '../test-support/cli.js';
import { cli, editYaml, executeCli, firstSlots, freezeCli, initCli, scheduleOf, slotArgs, treeDigests, type Slot } from './execute-support.js';

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
    // TASK-001 stage by stage (its `evaluate` output is what the tests read); the others in one
    // command each, which evaluates and locks them.
    const [t1, ...rest] = first;
    const staged = (async () => {
      const manifest = await initCli(project.dir, t1!);
      const executed = await executeCli(project.dir, manifest);
      expect(executed.exitCode, executed.stderr).toBe(0);
      return { manifest, ...(await cli(['evaluate', '--manifest', manifest], { cwd: project.dir })) };
    })();
    const full = rest.map(async (s) => {
      const r = await cli(['pin-and-run', '--full', ...slotArgs(s), '--json'], { cwd: project.dir });
      expect(r.exitCode, r.stderr).toBe(0);
      return { manifest: path.join(project.dir, (JSON.parse(r.stdout) as { runDir: string }).runDir, 'manifest.json'), ...r };
    });
    const done = await Promise.all([staged, ...full]);
    for (const [i, slot] of first.entries()) {
      const runDir = path.dirname(done[i]!.manifest);
      runs.set(slot.task, { slot, runDir, ...done[i]!, card: await readJson<Scorecard>(path.join(runDir, 'scorecard.json')) });
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
      expect(JSON.parse(r.stdout)).toMatchObject({ runId: r.card.runId, stage: 'lock', success: null, blinded: true, stopReason: 'end_turn' });
    }
  });

  it('when the simulated agent errs, the failing required check is named in the scorecard and in the output', () => {
    const mistaken = [...runs.values()].filter((r) => r.slot.variant === 'goal-centric');
    expect(mistaken.length).toBeGreaterThan(1);
    for (const r of mistaken) {
      const failed = r.card.checks.filter((c) => c.required && !c.passed);
      expect(failed.length, `${r.slot.task}: no required check failed`).toBeGreaterThan(0);
      for (const c of failed) expect(c.reason, c.id).not.toBe('');
      expect(r.card.success).toBe(false);
    }
    // TASK-001 went through `evaluate`, whose output names each failed check with its reason.
    const t1 = runs.get('TASK-001')!;
    expect(t1.slot.variant).toBe('goal-centric');
    expect(t1.exitCode, t1.stderr).toBe(0);
    expect(t1.stdout).toMatch(new RegExp(`^evaluated ${t1.card.runId}: FAILED$`, 'm'));
    const failed = t1.card.checks.filter((c) => !c.passed);
    // The mistake writes "Hello Ada!" without the comma: only the content check fails.
    expect(failed.map((c) => c.id)).toEqual(['greeting-content']);
    expect(failed[0]).toMatchObject({ required: true, reason: expect.stringMatching(/^greeting\.txt differs from the expected content \(first difference at line 1, column 6: got "Hello Ada!\\n.*", expected "Hello, Ada!\\n/) });
    expect(t1.stdout).toContain(`\n  failed greeting-content: ${failed[0]!.reason}\n`);
    expect(t1.stdout).toMatch(/^ {2}scorecard .*pair-\d+-TASK-001-goal-centric-a1\/scorecard\.json$/m);
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
    expect(existsSync(path.join(run.runDir, 'lock.json'))).toBe(true);
    const before = await treeDigests(project.dir);
    const r = await cli(['evaluate', '--manifest', path.join(run.runDir, 'manifest.json')], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${run.card.runId} is locked; a locked run is never re-evaluated$`, 'm'));
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).toBe('');
    expect(await treeDigests(project.dir)).toEqual(before);
  });
});
