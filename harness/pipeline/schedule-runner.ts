import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RegistryEntry, ScheduleSlot, Scorecard } from '../core/types/index.js';
import { loadJsonIfValid } from '../documents/validate.js';
import { runFiles } from './load-run.js';
import { ofType, type EntryOf } from '../core/entries.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import type { SandboxMode } from '../sandbox/run.js';
import { appendEntry } from '../store/registry.js';
import { readEntries } from '../store/registry-read.js';
import { LOCK_FILE } from '../store/run-lock.js';
import { openClaims, CLAIM_STALE_MS, type Release } from './claims.js';
import { ConcurrencyLimiter, type Job, type Place } from './concurrency-limiter.js';
import { currentRuns, openSlots, slotKey } from './current-runs.js';
import type { FrozenSet } from './frozen-set.js';
import { lockRun } from './lock-run.js';
import { requireUnbrokenPairs } from './pair-guard.js';
import type { Progress } from './progress.js';
import { finishSlot, pinSlot, type PinnedSlot, type SlotOutcome } from './run-slot.js';
import { SlotHistory } from './slot-history.js';
import { evaluatedNotLockedReason, failedAttemptReason, slotAttempts, slotName, type SlotAttempts } from './slot-state.js';
import { contextsOf } from './experiment-context.js';
import { verifyLockedRun } from './verify-run.js';

// How many slots are claimed and pinned ahead of a free place.
const PIN_AHEAD = 4;
// Runs that may be evaluating and locking at once, whatever -j is. A lock waits for a few rounds of
// syncing one after another (its files, then the run folder's rename, then its registry entry),
// each taking tens of ms here however many runs share it (store/filesystem-sync.ts). Agents that
// answer at once (the simulator) finish runs faster than that, so at a low bound new slots would
// wait on those rounds instead of running (bench/README.md). A run waiting for its lock holds
// only its manifest and scorecard (run-slot.ts), a few KB.
const LOCKING_AT_LEAST = 128;

export interface RunnerOptions {
  jobs: number;
  sandbox: { mode: SandboxMode; version?: string };
  only: (slot: ScheduleSlot) => boolean;
  progress: Progress;
  /** Verify locked runs before skipping them (make-style "up to date" only if intact). */
  verifySkipped: boolean;
  /** Refuse, before anything runs, to run a slot whose pair partner was locked with other pins (pair-guard.ts). */
  keepPairsWhole: boolean;
  /** Once aborted, no further slot starts (or is retried); the runs under way finish and lock. */
  stop?: AbortSignal;
}

export interface RunnerSummary {
  slots: number;
  executed: number;
  upToDate: number;
  locked: number;
  infrastructureFailures: number;
  retries: number;
  /** Attempts this process registered as abandoned: found unlocked after a crash, dropped on Ctrl-C, or failed on the last allowed try. */
  abandoned: number;
  notVerified: string[];
  incomplete: string[];
  /** Runs standing for the selected slots that were pinned before the set's latest re-freeze (a recorded deviation). */
  pinnedBeforeRefreeze: string[];
  /** The cause of the last infrastructure failure, if any (each is in its run's trace and the registry). */
  lastFailure: string | null;
}

// Executes the frozen schedule in its order, with up to `jobs` agents running at once. Each slot
// is claimed before anything is done to it, so concurrent `run` processes never execute the same
// slot; a slot whose latest attempt was never locked is an abandoned attempt and gets a new one.
export async function runSchedule(exp: LoadedExperiment, frozen: FrozenSet, options: RunnerOptions): Promise<RunnerSummary> {
  const history = await SlotHistory.read(frozen.files.registry);
  const slots = frozen.schedule.slots.filter(options.only);
  const contexts = contextsOf({ exp, frozen });
  const summary: RunnerSummary = { slots: slots.length, executed: 0, upToDate: 0, locked: 0, infrastructureFailures: 0, retries: 0, abandoned: 0, notVerified: [], incomplete: [], pinnedBeforeRefreeze: [], lastFailure: null };
  for (const slot of slots) options.progress.addSlot(slot.variant);
  options.progress.setOpenOutsideSelection(openSlots(frozen.schedule.slots.filter((s) => !options.only(s)), history.current).length);
  const pending = await pendingSlots(slots, history.current, frozen, options, summary);
  if (options.keepPairsWhole) await requireUnbrokenPairs(exp, frozen, pending, history.current, options.sandbox);

  // An attempt that will never be locked, registered as such with why.
  const abandon = async (slot: ScheduleSlot, runId: string, reason: string): Promise<void> => {
    await appendEntry(frozen.files.registry, exp.config.id, 'abandoned', { runId, slotIndex: slot.index, pairId: slot.pairId, task: slot.task, variant: slot.variant, reason });
    history.accountFor(runId);
    summary.abandoned++;
  };
  const stopping = (): boolean => options.stop?.aborted === true;
  // A pinned attempt that will not run because the run was stopped (after its pin is registered).
  const dropStopped = async (slot: ScheduleSlot, pinned: PinnedSlot): Promise<void> => {
    await pinned.run.registered;
    await abandon(slot, pinned.run.runId, 'stopped on request (Ctrl-C or SIGTERM) before it ran');
  };

  // -j bounds the agents running at once: a slot holds a place until its agent is done, and
  // evaluates and locks outside it. Slots are claimed and pinned ahead of a free place, in
  // schedule order, so a place is never kept waiting for a pin.
  const limiter = new ConcurrencyLimiter(options.jobs);
  const pin = (slot: ScheduleSlot, state: SlotAttempts): Promise<PinnedSlot> => pinSlot(exp, frozen, { task: slot.task, variant: slot.variant, pairId: slot.pairId, seed: slot.seed, adhoc: false }, {
    sandbox: options.sandbox, attempt: history.nextAttempt(slot, state), contexts,
  });

  // A run another process locked meanwhile: verified against its registry entry; a lock it did
  // not get to register (a crash) is registered here.
  const lockedElsewhere = async (runId: string): Promise<boolean> => {
    const dir = path.join(frozen.runsDir, runId);
    const registered = history.registeredLock(runId);
    if (registered !== undefined && (await verifyLockedRun(dir, registered)).length === 0) return registered.data.success;
    return (await lockRun(dir, contexts)).success;
  };

  // Holding the claim: look at the slot afresh (another process may have finished it), record a
  // dead attempt as abandoned and pin a new one. What is left to do waits for a place; the claim
  // is let go when the slot is done with (or here, when there is nothing to do or this fails).
  const prepareClaimed = async (slot: ScheduleSlot, claim: Release): Promise<Job | undefined> => {
    let pinned: PinnedSlot;
    try {
      const state = slotAttempts(frozen.runsDir, slot);
      if (state.latestLocked && !history.isSuperseded(state.latestRunId!)) {
        options.progress.alreadyDone(slot.variant, await lockedElsewhere(state.latestRunId!));
        summary.upToDate++;
        await claim();
        return undefined;
      }
      if (state.latestRunId !== undefined && !state.latestLocked && !history.isAccountedFor(state.latestRunId)) {
        await abandon(slot, state.latestRunId, neverLockedReason(path.join(frozen.runsDir, state.latestRunId)));
      }
      pinned = await pin(slot, state);
    } catch (err) {
      await claim();
      throw err;
    }
    return {
      start: (place) => runAttempts(slot, pinned, place).finally(claim),
      // Never started. Stopped on request: registered as abandoned now. Stopped by an error: the
      // pinned attempt stays unlocked, and the next run registers it as abandoned.
      cancel: () => (stopping() ? dropStopped(slot, pinned) : pinned.run.registered.then(() => undefined, () => undefined)).finally(claim),
    };
  };

  // Runs attempts until one locks or the retry limit is hit; a retry is pinned before it waits
  // for a place of its own.
  const runAttempts = async (slot: ScheduleSlot, first: PinnedSlot, firstPlace: Place): Promise<void> => {
    let pinned = first;
    let place = firstPlace;
    for (let tries = 1; ; tries++) {
      let outcome: SlotOutcome;
      try {
        outcome = await finishSlot(pinned, { onExecuted: place });
      } finally {
        place();
      }
      summary.executed++;
      if (outcome.execution.rateLimited > 0) limiter.backOff();
      else limiter.recover();
      if (outcome.infrastructureError === undefined) {
        summary.locked++;
        options.progress.finished(slot.variant, outcome.success === true, outcome.execution.wallTimeMs / 1000);
        return;
      }
      summary.infrastructureFailures++;
      summary.lastFailure = outcome.infrastructureError;
      options.progress.infrastructureError(slot.variant);
      if (stopping()) return abandon(slot, outcome.runId, failedAttemptReason(`not retried, the run was stopped on request (Ctrl-C or SIGTERM): ${outcome.infrastructureError}`));
      if (tries >= exp.resolved.maxAttempts) {
        return abandon(slot, outcome.runId, failedAttemptReason(`on the last allowed attempt (${exp.resolved.maxAttempts}): ${outcome.infrastructureError}`));
      }
      await appendEntry(frozen.files.registry, exp.config.id, 'retried', {
        runId: outcome.runId, slotIndex: slot.index, pairId: slot.pairId, task: slot.task, variant: slot.variant,
        cause: outcome.infrastructureError, nextAttempt: outcome.attempt + 1,
      });
      history.accountFor(outcome.runId);
      summary.retries++;
      options.progress.retried(slot.variant);
      pinned = await pin(slot, slotAttempts(frozen.runsDir, slot));
      place = await limiter.acquire();
      if (stopping()) {
        place();
        return dropStopped(slot, pinned);
      }
    }
  };

  // First pass: claimed and pinned ahead. Slots a live process claimed come back in a second
  // pass, which waits (inside a place) for the claim to be let go or for its holder to die.
  // A slot is in hand from its claim until it is locked or given up: at most -j with a running
  // agent, the ones pinned ahead, and as many again as -j, but at least LOCKING_AT_LEAST,
  // evaluating and locking. When locks fall behind (syncing is slower than simulated agents), new
  // slots wait instead of finished runs piling up in memory.
  const claims = await openClaims(frozen.runsDir);
  const inHand = new ConcurrencyLimiter(options.jobs + PIN_AHEAD + Math.max(options.jobs, LOCKING_AT_LEAST));
  const claim = async (slot: ScheduleSlot, waitMs?: number, whileStalled = false): Promise<Release | undefined> => {
    const token = await inHand.acquire();
    const release = await claims.tryClaim(slotName(slot), waitMs, options.stop, { whileStalled }).catch((err: unknown) => {
      token();
      throw err;
    });
    if (release === undefined) {
      token();
      return undefined;
    }
    return () => release().finally(token);
  };
  try {
    const deferred: ScheduleSlot[] = [];
    await limiter.forEach(pending, PIN_AHEAD, async (slot) => {
      // A slot held by a process killed moments ago is waited for in its place, not at the end:
      // its claim turns void within CLAIM_STALE_MS, and run last it would start far from its
      // place in the schedule, which the audit's schedule-order reports. An owner that was only
      // slow refreshes its lock again, and the slot is then deferred as any other held one.
      const claimed = (await claim(slot)) ?? ((await claims.heldByStalledOwner(slotName(slot))) ? await claim(slot, CLAIM_STALE_MS * 3, true) : undefined);
      if (claimed !== undefined) return prepareClaimed(slot, claimed);
      deferred.push(slot);
      return undefined;
    }, options.stop);
    await limiter.forEach(deferred, 1, (slot) => Promise.resolve({
      start: async (place) => {
        const claimed = await claim(slot, CLAIM_STALE_MS * 3);
        if (claimed !== undefined && stopping()) return claimed();
        const job = claimed === undefined ? undefined : await prepareClaimed(slot, claimed);
        await (stopping() ? job?.cancel() : job?.start(place));
      },
      cancel: async () => undefined,
    }), options.stop);
  } finally {
    await claims.close();
  }

  const finalEntries = await readEntries(frozen.files.registry);
  const finalCurrent = currentRuns(finalEntries);
  summary.incomplete = slots.filter((s) => !finalCurrent.has(slotKey(s.pairId, s.variant))).map((s) => slotName(s));
  const earlier = pinnedBeforeRefreeze(finalEntries);
  summary.pinnedBeforeRefreeze = slots.flatMap((s) => finalCurrent.get(slotKey(s.pairId, s.variant))?.data.runId ?? []).filter((id) => earlier.has(id));
  return summary;
}

// Why an attempt found unlocked is given up: one already evaluated had a result, now set aside.
function neverLockedReason(runDir: string): string {
  const scorecard = loadJsonIfValid<Scorecard>('scorecard', runFiles(runDir).scorecard);
  if (scorecard !== undefined) return evaluatedNotLockedReason(scorecard.success);
  return 'never locked: the process running it stopped before the run finished (a crash, a kill, or an error that ended the whole run)';
}

// A run stands as it was made after a re-freeze (the audit's pins-match-freeze lists it); `run`
// says how many of the slots it looked at are such runs, since it does not redo them.
function pinnedBeforeRefreeze(entries: readonly RegistryEntry[]): Set<string> {
  const refrozen = ofType(entries, 'frozen').at(-1);
  if (refrozen === undefined || refrozen.seq === 0) return new Set();
  return new Set(ofType(entries, 'pinned').filter((e) => e.seq < refrozen.seq).map((e) => e.data.runId));
}

// Make-style: a slot whose standing run is locked is up to date (counted, and with verifySkipped
// checked against its lock: one that no longer verifies is named, not re-run); the rest are pending.
// A registered lock is on disk before its entry is written, so a standing run whose lock.json (or
// whole folder) is gone was tampered with, never cut off by a crash: named, not re-run either.
async function pendingSlots(slots: readonly ScheduleSlot[], current: ReadonlyMap<string, EntryOf<'locked'>>, frozen: FrozenSet, options: RunnerOptions, summary: RunnerSummary): Promise<ScheduleSlot[]> {
  const pending: ScheduleSlot[] = [];
  for (const slot of slots) {
    const run = current.get(slotKey(slot.pairId, slot.variant));
    if (run === undefined) {
      pending.push(slot);
      continue;
    }
    const dir = path.join(frozen.runsDir, run.data.runId);
    const lockGone = !existsSync(path.join(dir, LOCK_FILE));
    if (lockGone || (options.verifySkipped && (await verifyLockedRun(dir, run)).length > 0)) summary.notVerified.push(run.data.runId);
    options.progress.alreadyDone(slot.variant, run.data.success);
    summary.upToDate++;
  }
  return pending;
}
