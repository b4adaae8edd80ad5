import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeze } from '../commands/freeze.js';
import { pinAndRunInit } from '../commands/pin-and-run-init.js';
import { executeRun, type ExecuteResult } from '../pipeline/execute-run.js';
import { scratchProject } from '../test-support/cli.js';
import { editYaml, firstSlots, ofType, readTrace, scheduleOf, treeDigests, type Slot, type TraceLine } from './execute-support.js';

// With the simulator injecting every kind of fault at a 20% rate per request, the first pair of
// every task still runs to its normal end: the SDK and the loop retry, each retry is traced with
// its cause, and what the agent did is exactly what it does without faults. Runs execute
// in-process and concurrently, so the ~1.5 s each timeout fault costs overlaps.

type Project = Awaited<ReturnType<typeof scratchProject>>;
type Ran = { slot: Slot; result: ExecuteResult; trace: TraceLine[]; outputs: Record<string, string> };

const KINDS = ['rate_limit', 'overloaded', 'server_error', 'timeout', 'malformed'];

async function runAll(p: Project, slots: Slot[]): Promise<Ran[]> {
  const runsDir = path.join(p.dir, 'runs');
  return Promise.all(slots.map(async (slot) => {
    const init = await pinAndRunInit({ experiment: p.expDir, runsDir, variant: slot.variant, task: slot.task, seed: slot.seed, pairId: slot.pairId });
    const result = await executeRun({ manifestFile: init.manifest });
    return { slot, result, trace: await readTrace(init.runDir), outputs: await treeDigests(path.join(init.runDir, 'outputs')) };
  }));
}

// What the agent did: each tool call with its id and input, and whether it failed.
const actions = (trace: TraceLine[]) => {
  const results = new Map(ofType(trace, 'tool_result').map((r) => [r.id, r]));
  return ofType(trace, 'tool_call').map((c) => ({ id: c.id, name: c.name, input: c.input, isError: results.get(c.id)?.isError, output: results.get(c.id)?.output }));
};

describe('the simulator\'s injected faults are retried and leave no mark on the outcome', () => {
  let faulty: Ran[];
  let clean: Ran[];
  const projects: Project[] = [];

  beforeAll(async () => {
    const [withFaults, without] = await Promise.all([scratchProject(), scratchProject()]);
    projects.push(withFaults, without);
    await editYaml(path.join(withFaults.expDir, 'experiment.yaml'), (doc) => {
      (doc.simulator as Record<string, unknown>).faults = { rate: 0.2, kinds: KINDS };
    });
    for (const p of projects) await freeze({ experiment: p.expDir, runsDir: path.join(p.dir, 'runs') });
    const slots = await scheduleOf(withFaults.dir);
    const pairs = firstSlots(slots).flatMap((s) => slots.filter((t) => t.pairId === s.pairId));
    expect(pairs).toHaveLength(12);
    [faulty, clean] = await Promise.all([runAll(withFaults, pairs), runAll(without, pairs)]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(projects.map((p) => p.cleanup()));
  });

  it('every run ends as it does without faults, with no infrastructure error', () => {
    for (const [i, run] of faulty.entries()) {
      const label = `${run.slot.task} ${run.slot.variant}`;
      expect(run.result.infrastructureError, label).toBeUndefined();
      expect(ofType(run.trace, 'error'), label).toEqual([]);
      expect(run.result.stopReason, label).toBe(clean[i]!.result.stopReason);
      expect(['end_turn'], label).toContain(run.result.stopReason);
      expect(run.trace.at(-1), label).toMatchObject({ type: 'run_end', stopReason: run.result.stopReason, turns: clean[i]!.result.turns });
    }
  });

  it('the faults were real: retries are traced, each with its cause, across several kinds of failure', () => {
    const retries = faulty.flatMap((r) => ofType(r.trace, 'retry'));
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) {
      expect(typeof r.cause === 'string' && r.cause.length > 0, JSON.stringify(r)).toBe(true);
      expect(r.attempt).toBeGreaterThanOrEqual(1);
    }
    const causes = new Set(retries.map((r) => String(r.cause)));
    const kinds = {
      http429: [...causes].some((c) => c === 'HTTP 429'),
      http529: [...causes].some((c) => c === 'HTTP 529'),
      http500: [...causes].some((c) => c === 'HTTP 500'),
      timeout: [...causes].some((c) => /timed out/i.test(c)),
      malformed: [...causes].some((c) => /SyntaxError|JSON/.test(c)),
    };
    expect(Object.values(kinds).filter(Boolean).length, JSON.stringify({ kinds, causes: [...causes] })).toBeGreaterThanOrEqual(4);
    // An HTTP failure keeps its status; the simulator asks for a short retry-after.
    for (const r of retries.filter((x) => /^HTTP /.test(String(x.cause)))) expect(r.status).toBe(Number(String(r.cause).slice(5)));
    // No run without faults retried anything.
    expect(clean.flatMap((r) => ofType(r.trace, 'retry'))).toEqual([]);
  });

  it('tool calls, their results and the outputs are exactly those of the run without faults', () => {
    for (const [i, run] of faulty.entries()) {
      const label = `${run.slot.task} ${run.slot.variant}`;
      expect(actions(run.trace), label).toEqual(actions(clean[i]!.trace));
      expect(run.outputs, label).toEqual(clean[i]!.outputs);
      const contents = (t: TraceLine[]) => ofType(t, 'response').map((e) => e.content);
      expect(contents(run.trace), label).toEqual(contents(clean[i]!.trace));
    }
  });
});
