import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest, RegistryEntry } from '../core/types/index.js';
import { runAuditChecks, earlyLookFailures, exclusionEvidence, replacedWithoutRerun, scheduleOrder, setAsideResults, startOrder, type AuditCheck } from './checks.js';
import { evaluatedNotLockedReason } from '../pipeline/slot-state.js';
import type { EntryOf } from '../core/entries.js';
import { buildDataset } from '../analysis/dataset.js';
import { freeze } from '../commands/freeze.js';
import { initRun } from '../pipeline/init-run.js';
import { readRunSet } from '../pipeline/open-run-set.js';
import type { ExperimentContext } from '../pipeline/experiment-context.js';
import { scratchProject } from '../test-support/cli.js';

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

  // Slot i's first attempt pinned as the order[i]-th run.
  const ordered = (order: number[]) => {
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 7, 10) + ms).toISOString();
    const entries = order.map((_, slot) => ({ type: 'pinned', data: { runId: `s${slot}-a1`, slotIndex: slot, attempt: 1 } }) as unknown as RegistryEntry);
    const manifests = new Map(order.map((position, slot) => [`s${slot}-a1`, { createdAt: at(position) }])) as unknown as Map<string, Manifest>;
    return scheduleOrder({ entries, manifests, frozen: { runsDir: '/nowhere' } as never });
  };

  it('fails 40 first attempts run in reverse schedule order, naming each started more than 16 positions away', () => {
    const verdict = ordered(Array.from({ length: 40 }, (_, slot) => 39 - slot));
    // Run p is slot 39 - p: |p - (39 - p)| > 16 for p <= 11 and p >= 28.
    expect(verdict.failures).toHaveLength(24);
    expect(verdict.failures[0]).toBe('s39-a1 (slot 39) started as run 1, scheduled as run 40');
    expect(verdict.failures.at(-1)).toBe('s0-a1 (slot 0) started as run 40, scheduled as run 1');
    expect(verdict.evidence[0]).toBe('40 first attempts; 24 started more than 16 positions from their place in the schedule (smaller shifts are concurrency)');
  });

  it('tolerates a shift of 16 positions, not of 17', () => {
    // Slot 0 started after the next 16 (or 17) slots.
    const shifted = (by: number) => Array.from({ length: 40 }, (_, slot) => (slot === 0 ? by : slot <= by ? slot - 1 : slot));
    expect(ordered(shifted(16)).failures).toEqual([]);
    expect(ordered(shifted(17)).failures).toEqual(['s0-a1 (slot 0) started as run 18, scheduled as run 1']);
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

// The checks not exported, through runAuditChecks on a real frozen set (the example experiment,
// frozen in a scratch folder, one run pinned) with hand-made entries and manifests added.
describe('runAuditChecks on a frozen set', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let set: ExperimentContext & { entries: RegistryEntry[] };
  let manifest: Manifest;
  let pinned: EntryOf<'pinned'>;

  beforeAll(async () => {
    project = await scratchProject();
    const runsDir = path.join(project.dir, 'runs');
    await freeze({ experiment: project.expDir, runsDir });
    const { exp, frozen } = await readRunSet(project.expDir, runsDir);
    const slot = frozen.schedule.slots[0]!;
    const run = await initRun(exp, frozen, { task: slot.task, variant: slot.variant, pairId: slot.pairId, seed: slot.seed, adhoc: false }, { sandbox: { mode: 'none' } });
    await run.registered;
    set = await readRunSet(project.expDir, runsDir);
    manifest = run.manifest;
    pinned = set.entries.find((e): e is EntryOf<'pinned'> => e.type === 'pinned')!;
  });
  afterAll(async () => project.cleanup());

  const audit = async (o: { entries?: RegistryEntry[]; manifests?: Map<string, Manifest>; frozen?: ExperimentContext['frozen'] } = {}): Promise<Map<string, AuditCheck>> => {
    const entries = o.entries ?? set.entries;
    const frozen = o.frozen ?? set.frozen;
    const checks = await runAuditChecks({
      exp: set.exp, frozen, entries, report: undefined, reportFile: path.join(frozen.runsDir, 'analysis', 'report.json'),
      data: await buildDataset(frozen, set.exp.preregistration, entries),
      manifests: o.manifests ?? new Map([[manifest.runId, manifest]]),
    });
    return new Map(checks.map((c) => [c.id, c]));
  };
  // An entry added after the real ones (what the checks read of it).
  const added = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ seq: set.entries.length, type, at: new Date().toISOString(), data, ...extra }) as unknown as RegistryEntry;

  it('as frozen, with one run pinned: the checks this test plants violations for pass', async () => {
    const checks = await audit();
    for (const id of ['frozen-before-first-run', 'schedule-regenerates', 'pins-match-freeze', 'retries-infrastructure-only', 'schedule-order']) expect(checks.get(id), id).toMatchObject({ status: 'PASS' });
    expect(checks.get('exclusions-registered')!.evidence).not.toContainEqual(expect.stringContaining('which is not a registered exclusion rule'));
  });

  it('frozen-before-first-run: fails a pin registered after the freeze but timestamped before it', async () => {
    const frozenAt = set.entries[0]!.at;
    const early = { ...pinned, at: '2000-01-01T00:00:00.000Z' };
    const check = (await audit({ entries: set.entries.map((e) => (e === pinned ? early : e)) })).get('frozen-before-first-run')!;
    expect(check.status).toBe('FAIL');
    expect(check.evidence[0]).toBe(`run ${pinned.data.runId} pinned at 2000-01-01T00:00:00.000Z, before the freeze at ${frozenAt}`);
  });

  it('schedule-regenerates: fails a schedule.json that is not the one its seed regenerates', async () => {
    const edited = path.join(project.dir, 'schedule-edited.json');
    await fs.writeFile(edited, `${await fs.readFile(set.frozen.files.schedule, 'utf8')}\n`);
    const check = (await audit({ frozen: { ...set.frozen, files: { ...set.frozen.files, schedule: edited } } })).get('schedule-regenerates')!;
    expect(check).toEqual({
      id: 'schedule-regenerates', title: expect.any(String) as string, status: 'FAIL',
      evidence: [`${edited} differs from the schedule regenerated from seed ${set.exp.config.design.seed}`],
    });
  });

  it('exclusions-registered: names a pair excluded under a rule the pre-registration does not have', async () => {
    const rule = set.exp.preregistration.exclusionRules[0]!.id;
    const excluded = (r: string) => added('excluded', { pairId: 'pair-0002', rule: r, reason: 'API outage', who: 'test' });
    const bad = (await audit({ entries: [...set.entries, excluded('looked-bad')] })).get('exclusions-registered')!;
    expect(bad.status).toBe('FAIL');
    expect(bad.evidence).toContain('pair-0002: excluded under "looked-bad", which is not a registered exclusion rule');
    const good = (await audit({ entries: [...set.entries, excluded(rule)] })).get('exclusions-registered')!;
    expect(good.evidence).not.toContainEqual(expect.stringContaining('which is not a registered exclusion rule'));
  });

  it('pins-match-freeze: names a run whose pre-registration, task fixture or variant prompt digest differs from the freeze', async () => {
    const other = { sha256: 'b'.repeat(64) };
    const edited = (edit: (m: Manifest) => void) => {
      const m = structuredClone(manifest);
      edit(m);
      return m;
    };
    const manifests = new Map([
      [manifest.runId, manifest],
      ['prereg-edited', edited((m) => { m.experiment.preregistrationDigest = other; })],
      ['fixture-edited', edited((m) => { m.task.workspaceDigest = other; })],
      ['prompt-edited', edited((m) => { m.variant.promptDigest = other; })],
    ]);
    const check = (await audit({ manifests })).get('pins-match-freeze')!;
    expect(check.status).toBe('FAIL');
    expect(check.evidence.filter((e) => e.includes('differs from the freeze record'))).toEqual([
      'prereg-edited: pre-registration digest differs from the freeze record',
      `fixture-edited: task ${manifest.task.id} differs from the freeze record`,
      `prompt-edited: variant ${manifest.variant.id} prompt differs from the freeze record`,
    ]);
  });

  it('retries-infrastructure-only: fails a run retried after it was locked with a result', async () => {
    const { runId, pairId, variant, task } = pinned.data;
    const locked = added('locked', { runId, pairId, variant, task, attempt: 1, adhoc: false, success: true });
    const retried = added('retried', { runId, pairId, variant, task, reason: 'HTTP 529' }, { seq: set.entries.length + 1 });
    const check = (await audit({ entries: [...set.entries, locked, retried] })).get('retries-infrastructure-only')!;
    expect(check.status).toBe('FAIL');
    expect(check.evidence[0]).toBe(`${runId} was retried although it finished with a result`);
    expect(check.evidence).toContain('1 infrastructure retries, 0 superseded results');
  });
});
