import { describe, expect, it } from 'vitest';
import type { Manifest, RegistryEntry } from '../core/types/index.js';
import { earlyLookFailures, exclusionEvidence, replacedWithoutRerun, scheduleOrder, setAsideResults, startOrder } from './checks.js';
import { evaluatedNotLockedReason } from '../pipeline/slot-state.js';
import type { EntryOf } from '../core/entries.js';

const pin = (runId: string, at: string) => ({ type: 'pinned', at, data: { runId, attempt: 1 } }) as unknown as EntryOf<'pinned'>;

describe('startOrder (schedule-order)', () => {
  it('orders pins by when their runs were pinned, not by where a batch of entries landed in the registry', () => {
    // Process B's batch (its first pin, slot 52) was written before process A's batch of pins made earlier.
    const registryOrder = [pin('a-30', '2026-12-07T10:00:00.050Z'), pin('b-52', '2026-12-07T10:00:00.040Z'), pin('a-31', '2026-12-07T10:00:00.050Z'), pin('a-32', '2026-12-07T10:00:00.045Z')];
    const pinnedAt = new Map([
      ['a-30', '2026-12-07T10:00:00.001Z'],
      ['a-31', '2026-12-07T10:00:00.002Z'],
      ['b-52', '2026-12-07T10:00:00.030Z'],
      ['a-32', '2026-12-07T10:00:00.003Z'],
    ]);
    expect(startOrder(registryOrder, pinnedAt).map((e) => e.data.runId)).toEqual(['a-30', 'a-31', 'a-32', 'b-52']);
  });

  it('keeps registry order between runs pinned in the same millisecond', () => {
    const same = '2026-12-07T10:00:00.001Z';
    const pins = [pin('x', same), pin('y', same), pin('z', same)];
    expect(startOrder(pins, new Map(pins.map((p) => [p.data.runId, same]))).map((e) => e.data.runId)).toEqual(['x', 'y', 'z']);
  });
});

describe('exclusionEvidence', () => {
  const locked = (variant: string, attempt: number) => ({ type: 'locked', data: { runId: `p1-${variant}-a${attempt}`, pairId: 'p1', variant, attempt, adhoc: false } }) as unknown as RegistryEntry;
  const superseded = (runId: string) => ({ type: 'superseded', data: { runId, pairId: 'p1' } }) as unknown as RegistryEntry;

  it('counts the runs standing for the pair\'s slots, not every locked attempt: a redone half is still one run', () => {
    const oneHalfRedone = [locked('a', 1), superseded('p1-a-a1'), locked('a', 2)];
    expect(exclusionEvidence(oneHalfRedone, 'p1', 2)).toEqual({ failedAttempts: 0, lockedRuns: 1, outcomeKnown: false });
    expect(exclusionEvidence([...oneHalfRedone, locked('b', 1)], 'p1', 2)).toEqual({ failedAttempts: 0, lockedRuns: 2, outcomeKnown: true });
    expect(exclusionEvidence([...oneHalfRedone, locked('b', 1)], 'p2', 2)).toEqual({ failedAttempts: 0, lockedRuns: 0, outcomeKnown: false });
  });

  it('counts attempts that failed for infrastructure reasons, not those Ctrl-C or a crash cut off', () => {
    const abandoned = (reason: string) => ({ type: 'abandoned', data: { runId: 'x', pairId: 'p1', variant: 'a', reason } }) as unknown as RegistryEntry;
    const retried = { type: 'retried', data: { runId: 'y', pairId: 'p1', variant: 'b' } } as unknown as RegistryEntry;
    const both = [locked('a', 2), locked('b', 2)];
    expect(exclusionEvidence([abandoned('stopped on request (Ctrl-C) before it ran'), abandoned('never locked: the process running it stopped before the run finished'), ...both], 'p1', 2))
      .toEqual({ failedAttempts: 0, lockedRuns: 2, outcomeKnown: true });
    expect(exclusionEvidence([abandoned('infrastructure failure on the last allowed attempt (3): HTTP 529'), retried, ...both], 'p1', 2))
      .toEqual({ failedAttempts: 2, lockedRuns: 2, outcomeKnown: false });
  });
});

describe('earlyLookFailures (no-early-unblinded-looks)', () => {
  let seq = 0;
  const analysed = (blinded: boolean, pairsLocked: number) => ({ seq: seq++, type: 'analysed', at: `t${seq}`, data: { who: 'ann', blinded, pairsLocked, pairsPlanned: 90 } }) as unknown as RegistryEntry;
  const look = (reason: string) => ({ seq: seq++, type: 'deviation', data: { kind: 'unblinded-look', reason } }) as unknown as RegistryEntry;

  it('gives each early look the reason recorded just before it, not the n-th reason of the registry', () => {
    seq = 0;
    const entries = [
      look('safety check'), // its analyze failed afterwards: no analysis follows it before the next reason
      look('interim for the board'), analysed(false, 40),
      analysed(true, 50), // blinded: not a look
      analysed(false, 60), // an early look with no reason recorded (blinding not registered at the time)
      analysed(false, 90), // the planned N: not early
    ];
    expect(earlyLookFailures(entries)).toEqual([
      'unblinded look at t3 by ann at 40/90 pairs: "interim for the board"',
      'unblinded look at t5 by ann at 60/90 pairs',
    ]);
  });
});

describe('replacedWithoutRerun (retries-infrastructure-only)', () => {
  const locked = (attempt: number, success: boolean) => ({ type: 'locked', data: { runId: `p1-T-a-a${attempt}`, pairId: 'p1', variant: 'a', attempt, adhoc: false, success } }) as unknown as RegistryEntry;

  it('names a locked result that a newer locked attempt replaced without a rerun (a registry from an older version, or written by hand)', () => {
    expect(replacedWithoutRerun([locked(1, true), locked(2, false)])).toEqual(['p1-T-a-a1 (a completed result, success) was replaced by p1-T-a-a2 without rerun: no reason recorded']);
    const rerun = { type: 'superseded', data: { runId: 'p1-T-a-a1', pairId: 'p1' } } as unknown as RegistryEntry;
    expect(replacedWithoutRerun([locked(1, true), rerun, locked(2, false)])).toEqual([]);
  });
});

describe('scheduleOrder', () => {
  it('dates a first attempt whose pin was cut off (registered only as abandoned) by its manifest, and says how many', () => {
    const at = (ms: number) => `2026-12-07T10:00:00.${String(ms).padStart(3, '0')}Z`;
    const pinned = (slot: number) => ({ type: 'pinned', data: { runId: `s${slot}-a1`, slotIndex: slot, attempt: 1 } }) as unknown as RegistryEntry;
    const abandoned = { type: 'abandoned', data: { runId: 's1-a1', slotIndex: 1, reason: 'never locked: …' } } as unknown as RegistryEntry;
    const entries = [pinned(0), pinned(2), abandoned];
    const manifests = new Map([0, 1, 2].map((i) => [`s${i}-a1`, { createdAt: at(i) }])) as unknown as Map<string, Manifest>;
    const verdict = scheduleOrder({ entries, manifests, frozen: { runsDir: '/nowhere' } as never });
    expect(verdict.failures).toEqual([]);
    expect(verdict.evidence).toEqual(['3 first attempts (1 of them cut off before their pin was registered, registered as abandoned); 0 started more than 16 positions from their place in the schedule (smaller shifts are concurrency)']);
  });
});

describe('setAsideResults (retries-infrastructure-only evidence)', () => {
  const abandoned = (runId: string, reason: string) => ({ type: 'abandoned', data: { runId, reason } }) as unknown as RegistryEntry;

  it('lists attempts given up although evaluated, with their outcomes, and nothing for others', () => {
    expect(setAsideResults([abandoned('a1', 'never locked: the process running it stopped'), abandoned('b1', 'stopped on request (Ctrl-C) before it ran')])).toEqual([]);
    expect(setAsideResults([abandoned('a1', evaluatedNotLockedReason(false)), abandoned('b1', evaluatedNotLockedReason(true))])).toEqual([
      '2 attempts evaluated but never locked, and run again: a1: never locked, though evaluated (failed checks): set aside, and its slot run again; b1: never locked, though evaluated (success): set aside, and its slot run again',
    ]);
  });
});
