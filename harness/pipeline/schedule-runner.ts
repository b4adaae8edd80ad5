import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RegistryEntry, ScheduleSlot } from '../core/types/index.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import { appendEntry, readEntries } from '../store/registry.js';
import { openClaims, CLAIM_STALE_MS, type Release } from './claims.js';
import { currentRuns, slotKey } from './current-runs.js';
import type { FrozenSet } from './frozen-set.js';
import { lockRun } from './lock-run.js';
import type { SandboxMode } from './manifest.js';
import type { Progress } from './progress.js';
import { runSlot, type SlotOutcome } from './run-slot.js';
import { slotAttempts, slotName, type SlotAttempts } from './slot-state.js';
import type { ExperimentContext } from './validate-manifest.js';
import { verifyLockedRun } from './verify-run.js';

export interface RunnerOptions {
  jobs: number;
  sandbox: { mode: SandboxMode; version?: string };
  only: (slot: ScheduleSlot) => boolean;
  progress: Progress;
  /** Verify locked runs before skipping them (make-style "up to date" only if intact). */
  verifySkipped: boolean;
}

export interface RunnerSummary {
  slots: number;
  executed: number;
  upToDate: number;
  locked: number;
  infrastructureFailures: number;
  retries: number;
  abandoned: number;
  notVerified: string[];
  incomplete: string[];
}

// Executes the frozen schedule in its order, with up to `jobs` agents running at once. Each slot
// is claimed before anything is done to it, so concurrent `run` processes never execute the same
// slot; a slot whose latest attempt was never locked is an abandoned attempt and gets a new one.
export async function runSchedule(exp: LoadedExperiment, frozen: FrozenSet, options: RunnerOptions): Promise<RunnerSummary> {
  const entries = await readEntries(frozen.files.registry);
  const superseded = new Set(entries.filter((e) => e.type === 'superseded').map((e) => (e as Extract<RegistryEntry, { type: 'superseded' }>).data.runId));
  // Attempts already accounted for: registered as abandoned, or retried after an infrastructure failure.
  const abandoned = new Set(entries.flatMap((e) => (e.type === 'abandoned' || e.type === 'retried' ? [e.data.runId] : [])));
  const current = currentRuns(entries);
  // Attempt numbers come from the run folders and, should a folder have been lost with its
  // unsynced rename (power loss), from the registry's pins: a run id is never pinned twice.
  const pinnedAttempts = new Map<string, number>();
  for (const e of entries) {
    if (e.type !== 'pinned') continue;
    const key = slotKey(e.data.pairId, e.data.variant);
    pinnedAttempts.set(key, Math.max(pinnedAttempts.get(key) ?? 0, e.data.attempt));
  }
  const nextAttempt = (slot: ScheduleSlot, state: SlotAttempts): number => Math.max(state.latest, pinnedAttempts.get(slotKey(slot.pairId, slot.variant)) ?? 0) + 1;
  const slots = frozen.schedule.slots.filter(options.only);
  const contexts = new Map<string, Promise<ExperimentContext>>();
  const summary: RunnerSummary = { slots: slots.length, executed: 0, upToDate: 0, locked: 0, infrastructureFailures: 0, retries: 0, abandoned: 0, notVerified: [], incomplete: [] };
  for (const slot of slots) options.progress.addSlot(slot.variant);

  const isDone = async (slot: ScheduleSlot): Promise<boolean> => {
    const run = current.get(slotKey(slot.pairId, slot.variant));
    if (run === undefined || !existsSync(path.join(frozen.runsDir, run.data.runId, 'lock.json'))) return false;
    if (options.verifySkipped && (await verifyLockedRun(path.join(frozen.runsDir, run.data.runId), run)).length > 0) summary.notVerified.push(run.data.runId);
    options.progress.alreadyDone(slot.variant, run.data.success);
    summary.upToDate++;
    return true;
  };
  const pending: ScheduleSlot[] = [];
  for (const slot of slots) if (!(await isDone(slot))) pending.push(slot);

  // -j bounds the agents running at once: a slot holds a place until its agent is done, and
  // evaluates and locks outside it.
  const limiter = new ConcurrencyLimiter(options.jobs);
  const work = async (slot: ScheduleSlot, claim: Release, place: Place): Promise<void> => {
    try {
      await executeClaimed(slot, place);
    } finally {
      place();
      await claim();
    }
  };

  // Holding the claim: look at the slot afresh (another process may have finished it), record a
  // dead attempt as abandoned, then run new attempts until one locks or the retry limit is hit.
  const executeClaimed = async (slot: ScheduleSlot, firstPlace: Place): Promise<void> => {
    let state = slotAttempts(frozen.runsDir, slot);
    if (state.latestLocked && !superseded.has(state.latestRunId!)) {
      const locked = await lockRun(path.join(frozen.runsDir, state.latestRunId!), contexts);
      options.progress.alreadyDone(slot.variant, locked.success);
      summary.upToDate++;
      return;
    }
    if (state.latestRunId !== undefined && !state.latestLocked && !abandoned.has(state.latestRunId)) {
      await appendEntry(frozen.files.registry, exp.config.id, 'abandoned', {
        runId: state.latestRunId, slotIndex: slot.index, pairId: slot.pairId, task: slot.task, variant: slot.variant,
        reason: 'never locked: the process running it stopped (crash or kill) before the run finished',
      });
      summary.abandoned++;
    }
    for (let tries = 1; ; tries++) {
      const place = tries === 1 ? firstPlace : await limiter.acquire();
      let outcome: SlotOutcome;
      try {
        outcome = await runSlot(exp, frozen, { task: slot.task, variant: slot.variant, pairId: slot.pairId, seed: slot.seed, adhoc: false }, {
          sandbox: options.sandbox, attempt: nextAttempt(slot, state), contexts, onExecuted: place,
        });
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
      options.progress.infrastructureError(slot.variant);
      if (tries >= exp.resolved.maxAttempts) {
        await appendEntry(frozen.files.registry, exp.config.id, 'abandoned', {
          runId: outcome.runId, slotIndex: slot.index, pairId: slot.pairId, task: slot.task, variant: slot.variant,
          reason: `infrastructure failure on the last allowed attempt (${exp.resolved.maxAttempts}): ${outcome.infrastructureError}`,
        });
        abandoned.add(outcome.runId);
        return;
      }
      await appendEntry(frozen.files.registry, exp.config.id, 'retried', {
        runId: outcome.runId, slotIndex: slot.index, pairId: slot.pairId, task: slot.task, variant: slot.variant,
        cause: outcome.infrastructureError, nextAttempt: outcome.attempt + 1,
      });
      abandoned.add(outcome.runId);
      summary.retries++;
      options.progress.retried(slot.variant);
      state = slotAttempts(frozen.runsDir, slot);
    }
  };

  // First pass: the next slot's claim is taken while waiting for a place, so its latency overlaps
  // running agents. Slots claimed elsewhere come back in a second pass, which waits (inside a
  // place) for the claim to be let go or for its holder to die.
  const claims = await openClaims(frozen.runsDir);
  try {
    const deferred: ScheduleSlot[] = [];
    await limiter.forEach(pending, async (slot) => {
      const claim = await claims.tryClaim(slotName(slot));
      if (claim === undefined) deferred.push(slot);
      return claim === undefined ? undefined : (place) => work(slot, claim, place);
    });
    await limiter.forEach(deferred, (slot) => Promise.resolve(async (place) => {
      const claim = await claims.tryClaim(slotName(slot), CLAIM_STALE_MS * 3);
      if (claim === undefined) place();
      else await work(slot, claim, place);
    }));
  } finally {
    await claims.close();
  }

  const finalCurrent = currentRuns(await readEntries(frozen.files.registry));
  summary.incomplete = slots.filter((s) => !finalCurrent.has(slotKey(s.pairId, s.variant))).map((s) => slotName(s));
  return summary;
}

/** A held place: calling it gives the place back (again does nothing). */
type Place = () => void;

// Places for concurrent work, whose number shrinks when the provider rate-limits and grows back
// as requests succeed. Waiters get places in the order they asked.
class ConcurrencyLimiter {
  private limit: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {
    this.limit = max;
  }

  backOff(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
  }

  recover(): void {
    if (this.limit < this.max) this.limit++;
    this.wake();
  }

  async acquire(): Promise<Place> {
    if (this.active >= this.limit || this.waiting.length > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.active--;
      this.wake();
    };
  }

  // Goes through items in order: `prepare` (before a place is free) says what to run for the item,
  // if anything, which then starts once it has a place. Waits for everything started; after a
  // failure no further item is prepared (one already prepared still runs, so its claim is
  // released), and the first error is thrown once the started work is done.
  async forEach<T>(items: readonly T[], prepare: (item: T) => Promise<((place: Place) => Promise<void>) | undefined>): Promise<void> {
    let failure: unknown;
    const started: Promise<void>[] = [];
    for (const item of items) {
      if (failure !== undefined) break;
      const job = await prepare(item).catch((err: unknown) => { failure ??= err; return undefined; });
      if (job === undefined) continue;
      const place = await this.acquire();
      started.push(job(place).catch((err: unknown) => { failure ??= err; }).finally(place));
    }
    await Promise.all(started);
    if (failure !== undefined) throw failure;
  }

  // A waiter is handed the place directly (active stays counted), so nobody overtakes it.
  private wake(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
