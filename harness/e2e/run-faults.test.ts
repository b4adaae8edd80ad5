import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type CliResult } from '../test-support/cli.js';
import { readTrace, type TraceLine } from './execute-support.js';
import {
  SLOTS, attemptOf, expectEachSlotLockedOnce, expectVerifies, hx, isLocked, ofType, registry, runFolders, runSetDir, slotKey, smallProject,
  type Project,
} from './run-support.js';

// `harness run` against a simulator that fails requests: the SDK and the agent loop retry each
// failed request (traced in agent.log), and a run whose request still fails is an infrastructure
// failure: kept unlocked, registered `retried` with its cause, and its slot tried again as a new
// attempt, at most retries.maxAttempts times per `run`.

type Summary = {
  slots: number; executed: number; upToDate: number; locked: number; infrastructureFailures: number; retries: number; abandoned: number;
  notVerified: string[]; incomplete: string[]; experiment: string; provider: string; complete: boolean;
};

const projects: Project[] = [];
afterAll(async () => {
  // A filtered run (-t) skips the describes, not the setups: let them end before removing files.
  await Promise.allSettled([runs]);
  await Promise.all(projects.map((p) => p.cleanup()));
}, 120_000);

async function traces(p: Project): Promise<Map<string, TraceLine[]>> {
  const out = new Map<string, TraceLine[]>();
  for (const runId of await runFolders(p)) out.set(runId, await readTrace(path.join(runSetDir(p), runId)));
  return out;
}

// Every scenario's project is set up and run at once; each describe awaits its own.
type Ran = { p: Project; r: CliResult };
const FAULTS = { rate: 0.2, kinds: ['rate_limit', 'overloaded', 'server_error', 'malformed'] };
let runs: Promise<{ text: Ran; json: Ran; malformed: Ran }>;
beforeAll(() => {
  const ran = async (simulator: Record<string, unknown>, args: string[]): Promise<Ran> => {
    const p = await smallProject(simulator);
    projects.push(p);
    return { p, r: await hx(p, ['run', EXAMPLE, ...args]) };
  };
  runs = (async () => {
    // The same experiment twice (one run prints text, the other --json), and one whose
    // simulator malforms every other response: a malformed body is not retried by the SDK, only
    // by the loop (3 more tries), so some requests outlast every retry.
    const [text, json, malformed] = await Promise.all([
      ran({ faults: FAULTS }, ['-j', '4']),
      ran({ faults: FAULTS }, ['-j', '4', '--json']),
      ran({ faults: { rate: 0.5, kinds: ['malformed'] } }, ['-j', '8', '--json']),
    ]);
    return { text, json, malformed };
  })();
  runs.catch(() => undefined);
});

describe('one request in five fails (429, 529, 500 or a malformed body): every slot still completes', () => {
  let text: Ran;
  let json: Ran;

  beforeAll(async () => {
    ({ text, json } = await runs);
  }, 120_000);

  it('exits 0 and the completeness gate line says every slot is locked', async () => {
    expect(text.r.exitCode, text.r.stdout + text.r.stderr).toBe(0);
    expect(text.r.stdout).toContain(`completeness gate: ${SLOTS}/${SLOTS} slots locked`);
    await expectEachSlotLockedOnce(text.p);
  });

  it('--json prints one summary object, complete, whose counts match the registry', async () => {
    expect(json.r.exitCode, json.r.stderr).toBe(0);
    const summary = JSON.parse(json.r.stdout) as Summary;
    expect(Array.isArray(summary)).toBe(false);
    expect(summary).toMatchObject({ experiment: EXAMPLE, provider: 'sim', slots: SLOTS, complete: true, incomplete: [], notVerified: [], upToDate: 0, abandoned: 0 });
    expect(summary.executed).toBe(summary.locked + summary.infrastructureFailures);
    expect(summary.locked).toBe(SLOTS);
    const entries = await registry(json.p);
    expect(ofType(entries, 'retried')).toHaveLength(summary.retries);
    expect(ofType(entries, 'pinned')).toHaveLength(summary.executed);
    await expectEachSlotLockedOnce(json.p);
  });

  it('the faults were real: agent.log records retries, each with its cause', async () => {
    const retries = [...(await traces(text.p)).values()].flatMap((t) => t.filter((e) => e.type === 'retry'));
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) expect(typeof r.cause === 'string' && r.cause !== '', JSON.stringify(r)).toBe(true);
    expect(new Set(retries.map((r) => r.status)).size, 'more than one kind of failure').toBeGreaterThan(1);
  });

  it('text and --json runs of the same experiment reach the same results', async () => {
    const outcome = async (p: Project) => [...(await expectEachSlotLockedOnce(p))].map(([k, e]) => [k, e.data.success, e.data.stopReason]).sort();
    expect(await outcome(json.p)).toEqual(await outcome(text.p));
  });

  it('verify and verify-pairing are clean', async () => {
    await Promise.all([expectVerifies(text.p), expectVerifies(json.p)]);
  });
});

describe('every other response malformed: some runs fail for infrastructure reasons and are retried as new attempts', () => {
  const MAX_ATTEMPTS = 3;
  let p: Project;
  let r: CliResult;
  let summary: Summary;

  beforeAll(async () => {
    ({ p, r } = (await runs).malformed);
    summary = JSON.parse(r.stdout) as Summary;
  }, 120_000);

  it('some runs failed for infrastructure reasons (the scenario exercises whole-run retries)', () => {
    expect(summary.infrastructureFailures).toBeGreaterThan(0);
    expect(summary.retries).toBeGreaterThan(0);
  });

  it('each failed attempt is kept unlocked, registered `retried` with the cause its trace ends with, and followed by the next attempt', async () => {
    const entries = await registry(p);
    const retried = ofType(entries, 'retried');
    expect(retried).toHaveLength(summary.retries);
    const folders = await runFolders(p);
    for (const e of retried) {
      const { runId } = e.data;
      expect(isLocked(p, runId), runId).toBe(false);
      const trace = await readTrace(path.join(runSetDir(p), runId));
      const errors = trace.filter((t) => t.type === 'error' && t.infrastructure === true);
      expect(errors.length, runId).toBeGreaterThan(0);
      expect(String(e.data.cause)).toContain(String(errors.at(-1)!.message));
      expect(e.data.nextAttempt).toBe(attemptOf(runId) + 1);
      expect(folders).toContain(runId.replace(/-a\d+$/, `-a${attemptOf(runId) + 1}`));
    }
  });

  it('no slot gets more than retries.maxAttempts attempts in one run; the summary, exit code and gate agree', async () => {
    const perSlot = new Map<string, number>();
    for (const e of ofType(await registry(p), 'pinned')) perSlot.set(slotKey(e.data), Math.max(perSlot.get(slotKey(e.data)) ?? 0, e.data.attempt!));
    expect(Math.max(...perSlot.values())).toBeLessThanOrEqual(MAX_ATTEMPTS);
    const unlocked = (await runFolders(p)).filter((id) => !isLocked(p, id));
    expect(unlocked).toHaveLength(summary.infrastructureFailures);
    // A slot left incomplete used every attempt; the exit status says whether any is.
    for (const name of summary.incomplete) {
      const [, pairId, variant] = /^(pair-\d+)-TASK-\d+-(.+)$/.exec(name)!;
      expect(perSlot.get(slotKey({ pairId: pairId!, variant: variant! })), name).toBe(MAX_ATTEMPTS);
    }
    expect(r.exitCode).toBe(summary.incomplete.length === 0 ? 0 : 1);
    expect(summary.complete).toBe(summary.incomplete.length === 0);
  });

  it('status, from the files, counts the errors and retries the run counted: every failed attempt, the ones given up included', async () => {
    const st = JSON.parse((await hx(p, ['status', EXAMPLE, '--json'])).stdout) as { progress: { total: { errors: number; retries: number } } };
    expect(st.progress.total).toMatchObject({ errors: summary.infrastructureFailures, retries: summary.retries });
    expect(summary.infrastructureFailures).toBe(summary.retries + summary.abandoned);
  });

  it('verify is clean: the unlocked attempts are not mistaken for tampered runs', async () => {
    const v = await hx(p, ['verify', EXAMPLE]);
    expect(v.exitCode, v.stdout).toBe(0);
  });

  // Each attempt of a run draws its own faults (the run attempt is part of the fault key), so a
  // whole-run retry can succeed.
  it('a slot whose attempt failed for infrastructure reasons can be locked by a later attempt', async () => {
    const entries = await registry(p);
    const locked = new Set(ofType(entries, 'locked').map((e) => slotKey(e.data)));
    const retriedSlots = [...new Set(ofType(entries, 'retried').map((e) => slotKey(e.data)))];
    expect(retriedSlots.length).toBeGreaterThan(0);
    expect(retriedSlots.filter((k) => locked.has(k)).length).toBeGreaterThan(0);
  });

  // The attempt that exhausts retries.maxAttempts is registered as abandoned with its cause, so a
  // later `run` never records it as a crash.
  it('running again does not record the last failed attempt as a crash', async () => {
    // Just the slots of the first incomplete one's task and variant, to keep it short.
    const [, task, variant] = /^pair-\d+-(TASK-\d+)-(.+)$/.exec(summary.incomplete[0] ?? 'pair-0001-TASK-001-role-centric')!;
    const again = await hx(p, ['run', EXAMPLE, '--only', `task=${task},variant=${variant}`, '--json']);
    expect(again.stdout).not.toBe('');
    const abandoned = ofType(await registry(p), 'abandoned');
    for (const e of abandoned) expect(`${e.data.runId}: ${e.data.reason}`).toMatch(/infrastructure failure on the last allowed attempt \(3\): /);
    expect(abandoned.map((e) => e.data.reason).join('\n')).not.toMatch(/crash/);
  }, 60_000);
});
