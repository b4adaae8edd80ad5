import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type CliResult } from '../test-support/cli.js';
import {
  SLOTS, claimsNotLetGo, expectEachSlotLockedOnce, expectProgressComplete, expectVerifies, hx, ofType, registry, runFolders, slotKey, slotsOf,
  smallProject, type Project,
} from './run-support.js';

// Two `harness run` processes started together on one experiment share the work through the
// slot claims: no slot is executed twice, no attempt is pinned twice, and the run set they
// leave is exactly the one a single process leaves.

type Summary = { slots: number; executed: number; upToDate: number; locked: number; abandoned: number; complete: boolean; incomplete: string[] };

describe('two run processes at once on the same experiment', () => {
  let p: Project;
  let results: CliResult[];
  let summaries: Summary[];

  beforeAll(async () => {
    // 50 ms per simulated response: runs overlap long enough for the processes to contend.
    p = await smallProject({ latencyMs: 50 });
    results = await Promise.all([hx(p, ['run', EXAMPLE, '-j', '4', '--json']), hx(p, ['run', EXAMPLE, '-j', '3', '--json'])]);
    summaries = results.map((r, i) => {
      try {
        return JSON.parse(r.stdout) as Summary;
      } catch {
        throw new Error(`process ${i} exited ${r.exitCode} without a JSON summary:\n${r.stdout}\n${r.stderr}`);
      }
    });
  }, 120_000);
  afterAll(async () => {
    await p.cleanup();
  });

  it('both finish with every slot locked', () => {
    for (const [i, r] of results.entries()) {
      expect(r.exitCode, `process ${i}: ${r.stderr}`).toBe(0);
      expect(summaries[i]).toMatchObject({ slots: SLOTS, complete: true, incomplete: [], abandoned: 0 });
    }
  });

  it('between them they executed each slot once; each accounts for every slot as executed or found done', () => {
    expect(summaries[0]!.executed + summaries[1]!.executed).toBe(SLOTS);
    for (const s of summaries) {
      expect(s.executed + s.upToDate).toBe(SLOTS);
      expect(s.locked).toBe(s.executed);
    }
  });

  it('the registry has exactly one locked entry per slot and one pinned entry per attempt; run ids are unique', async () => {
    await expectEachSlotLockedOnce(p);
    const entries = await registry(p);
    expect(ofType(entries, 'locked')).toHaveLength(SLOTS);
    const pinned = ofType(entries, 'pinned');
    const attempts = pinned.map((e) => `${slotKey(e.data)}#${e.data.attempt}`);
    expect(new Set(attempts).size).toBe(attempts.length);
    expect(pinned).toHaveLength(SLOTS);
    const ids = pinned.map((e) => e.data.runId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(entries.filter((e) => ['abandoned', 'retried', 'superseded'].includes(e.type))).toEqual([]);
    // The chain has no gap or duplicate: appends from the two processes never interleaved.
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
  });

  it('one run folder per slot, attempt 1, all locked; no claim left behind', async () => {
    const slots = await slotsOf(p);
    expect(await runFolders(p)).toEqual(slots.map((s) => `${s.pairId}-${s.task}-${s.variant}-a1`).sort());
    expect(await claimsNotLetGo(p)).toEqual([]);
  });

  it('progress.csv is complete, verify and verify-pairing are clean', async () => {
    await expectProgressComplete(p, await expectEachSlotLockedOnce(p));
    await expectVerifies(p);
  });
});
