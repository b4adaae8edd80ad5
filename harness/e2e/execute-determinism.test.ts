import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeze } from '../commands/freeze.js';
import { pinAndRunInit } from '../commands/pin-and-run-init.js';
import { executeRun, type ExecuteOptions } from '../pipeline/execute-run.js';
import { startSimServer } from '../providers/sim/index.js';
import { scratchProject } from '../test-support/cli.js';
import {
  executeCli, firstSlots, freezeCli, initCli, ofType, readTrace, scheduleOf, timeless, treeDigests, type Slot,
} from './execute-support.js';

// The simulator's transcript is a function of (script, behaviour, seed): the same slot executed
// in two unrelated projects, or by the CLI and in-process, gives the same trace event for event
// (clock fields aside), and the two variants of one task differ measurably over its 15 pairs.
// Thirty CLI executions would take most of a minute, so this file drives executeRun in-process;
// the projects lie outside the working directory, so every pinned path in them is absolute.

type Project = Awaited<ReturnType<typeof scratchProject>> & { slots: Slot[]; runs: Map<number, Promise<string>>; contexts: ExecuteOptions['contexts'] };

async function frozenProject(): Promise<Project> {
  const p = await scratchProject();
  await freeze({ experiment: p.expDir, runsDir: path.join(p.dir, 'runs') });
  return { ...p, slots: await scheduleOf(p.dir), runs: new Map(), contexts: new Map() };
}

// Pins and executes a slot once per project; the run folder.
function run(p: Project, slot: Slot): Promise<string> {
  if (!p.runs.has(slot.index)) {
    p.runs.set(slot.index, (async () => {
      const init = await pinAndRunInit({ experiment: p.expDir, runsDir: path.join(p.dir, 'runs'), variant: slot.variant, task: slot.task, seed: slot.seed, pairId: slot.pairId });
      const r = await executeRun({ manifestFile: init.manifest, contexts: p.contexts });
      expect(r.infrastructureError).toBeUndefined();
      return init.runDir;
    })());
  }
  return p.runs.get(slot.index)!;
}

describe('the simulator is deterministic per slot and separates the variants', () => {
  let a: Project;
  let b: Project;
  beforeAll(async () => {
    [a, b] = await Promise.all([frozenProject(), frozenProject()]);
  });
  afterAll(async () => {
    await Promise.all([a?.cleanup(), b?.cleanup()]);
  });

  it('both variants of every task\'s first pair give identical traces and outputs in two projects', async () => {
    const pairs = firstSlots(a.slots).flatMap((s) => a.slots.filter((t) => t.pairId === s.pairId));
    expect(pairs).toHaveLength(12);
    for (const slot of pairs) {
      const [dirA, dirB] = await Promise.all([run(a, slot), run(b, slot)]);
      const [ta, tb] = await Promise.all([readTrace(dirA), readTrace(dirB)]);
      expect(ta.length, `${slot.task} ${slot.variant}`).toBeGreaterThan(4);
      expect(timeless(ta), `${slot.task} ${slot.variant}`).toEqual(timeless(tb));
      // Spelled out, since these are what a replay would be matched on.
      const ids = (t: typeof ta) => ofType(t, 'response').map((e) => [e.requestId, ...(e.content as { id?: string }[]).map((c) => c.id ?? '')]);
      expect(ids(ta)).toEqual(ids(tb));
      expect(ofType(ta, 'response').every((e) => /^req_sim_[0-9a-f]{24}$/.test(String(e.requestId)))).toBe(true);
      expect(ofType(ta, 'tool_call').every((e) => /^toolu_sim_[0-9a-f]{24}$/.test(String(e.id)))).toBe(true);
      expect(await treeDigests(path.join(dirA, 'outputs'))).toEqual(await treeDigests(path.join(dirB, 'outputs')));
    }
  });

  it('a slot played over HTTP by `harness sim-server` gives the same trace as the in-process simulator', async () => {
    const slot = a.slots.find((s) => s.task === 'TASK-003')!;
    const c = await frozenProject();
    const server = await startSimServer();
    process.env.HARNESS_SIM_URL = server.url;
    try {
      const viaHttp = await readTrace(await run(c, slot));
      expect(timeless(viaHttp)).toEqual(timeless(await readTrace(await run(a, slot))));
      // The run released its session: a long-lived server does not keep one per run.
      expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok', sessions: 0 });
    } finally {
      delete process.env.HARNESS_SIM_URL;
      await server.close();
      await c.cleanup();
    }
  });

  it('a slot executed by the CLI in a third project gives the same trace as in-process', async () => {
    const c = await scratchProject();
    try {
      await freezeCli(c.dir);
      const slot = (await scheduleOf(c.dir)).find((s) => s.task === 'TASK-005')!;
      const manifest = await initCli(c.dir, slot);
      const r = await executeCli(c.dir, manifest);
      expect(r.exitCode, r.stderr).toBe(0);
      const viaCli = await readTrace(path.dirname(manifest));
      expect(ofType(viaCli, 'tool_call').some((e) => e.name === 'run_command')).toBe(true);
      expect(timeless(viaCli)).toEqual(timeless(await readTrace(await run(a, slot))));
    } finally {
      await c.cleanup();
    }
  });

  it('over the 15 pairs of TASK-006, goal-centric asks for clarification in more runs, pair by pair', async () => {
    const slots = b.slots.filter((s) => s.task === 'TASK-006');
    expect(slots).toHaveLength(30);
    const outcome = async (slot: Slot) => {
      const dir = await run(b, slot);
      const trace = await readTrace(dir);
      const report = await fs.readFile(path.join(dir, 'outputs/report.md'), 'utf8');
      const asked = ofType(trace, 'clarification');
      if (asked.length > 0) expect(asked[0]!.answer).toMatch(/day-first/);
      return { slot, asked: asked.length > 0, dayFirst: report.includes('| Requirements signed off | 2026-04-03 |') };
    };
    const results = await Promise.all(slots.map(outcome));
    const of = (variant: string) => results.filter((r) => r.slot.variant === variant);
    const count = (variant: string, key: 'asked' | 'dayFirst') => of(variant).filter((r) => r[key]).length;
    const asked = { goal: count('goal-centric', 'asked'), role: count('role-centric', 'asked') };
    const dayFirst = { goal: count('goal-centric', 'dayFirst'), role: count('role-centric', 'dayFirst') };
    expect(of('goal-centric')).toHaveLength(15);
    // Both variants compare one draw per pair to their own threshold (0.75 vs 0.4), so a
    // role-centric run that asks always has a goal-centric partner that asks too.
    for (const r of of('role-centric').filter((x) => x.asked)) {
      expect(results.find((x) => x.slot.pairId === r.slot.pairId && x.slot.variant === 'goal-centric')!.asked, r.slot.pairId).toBe(true);
    }
    // Seeded, so fixed: 9 of 15 against 3 of 15 with the example's seed. The date reading (a
    // mistake drawn at 0.12 vs 0.22) separates them far less, as the two thresholds are close.
    expect(asked.goal - asked.role, JSON.stringify({ asked, dayFirst })).toBeGreaterThanOrEqual(4);
    expect(dayFirst.goal, JSON.stringify({ asked, dayFirst })).toBeGreaterThanOrEqual(dayFirst.role);
  });
});
