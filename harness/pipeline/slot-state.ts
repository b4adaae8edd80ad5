import { existsSync } from 'node:fs';
import path from 'node:path';
import { runIdFor } from '../core/schedule.js';
import { ofType, type EntryOf } from '../core/entries.js';
import type { RegistryEntry, ScheduleSlot } from '../core/types/index.js';
import { LOCK_FILE } from '../store/run-lock.js';

export interface SlotAttempts {
  /** Highest attempt number with a run folder (0 when none). */
  latest: number;
  latestRunId: string | undefined;
  latestLocked: boolean;
}

// A slot's attempts are found on disk by their deterministic run ids (…-a1, …-a2, …), so a
// claimant sees what other processes did without re-reading the whole registry.
export function slotAttempts(runsDir: string, slot: ScheduleSlot): SlotAttempts {
  let n = 0;
  while (existsSync(path.join(runsDir, runIdFor(slot, n + 1)))) n++;
  if (n === 0) return { latest: 0, latestRunId: undefined, latestLocked: false };
  const runId = runIdFor(slot, n);
  return { latest: n, latestRunId: runId, latestLocked: existsSync(path.join(runsDir, runId, LOCK_FILE)) };
}

export function slotName(slot: Pick<ScheduleSlot, 'pairId' | 'task' | 'variant'>): string {
  return `${slot.pairId}-${slot.task}-${slot.variant}`;
}

// An attempt given up after an infrastructure failure (the last allowed try, or a stop on request)
// is registered as `abandoned` with a reason that starts so (followed by a comma in registries
// written before it was shared): `status` counts it as an error, as it counts each `retried` attempt.
const FAILED = 'infrastructure failure';
export const failedAttemptReason = (detail: string): string => `${FAILED} ${detail}`;
export const isFailedAttemptReason = (reason: string): boolean => reason.startsWith(`${FAILED} `) || reason.startsWith(`${FAILED},`);

// An attempt found unlocked although it was evaluated had a result that is set aside when it is
// given up (a crash between its evaluation and its lock, or an evaluation by hand never locked):
// its reason says so, with the outcome, and the audit lists such attempts.
const EVALUATED = 'never locked, though evaluated';
export const evaluatedNotLockedReason = (success: boolean): string => `${EVALUATED} (${success ? 'success' : 'failed checks'}): set aside, and its slot run again`;
export const isEvaluatedNotLocked = (reason: string): boolean => reason.startsWith(`${EVALUATED} `);

/**
 * The attempts that failed for infrastructure reasons: each retried, and each given up after
 * failing; not those abandoned because Ctrl-C, a crash or a kill cut them off (no failure of theirs).
 */
export function failedAttempts(entries: readonly RegistryEntry[]): (EntryOf<'retried'> | EntryOf<'abandoned'>)[] {
  return givenUp(entries).filter((e) => e.type === 'retried' || isFailedAttemptReason(e.data.reason));
}

/** The attempts given up: registered as abandoned (for whatever reason) or as retried. */
export function givenUp(entries: readonly RegistryEntry[]): (EntryOf<'abandoned'> | EntryOf<'retried'>)[] {
  return [...ofType(entries, 'abandoned'), ...ofType(entries, 'retried')];
}

/** The attempts that are over: locked, or given up. Any other pinned attempt is unfinished. */
export function closedRunIds(entries: readonly RegistryEntry[]): Set<string> {
  return new Set([...givenUp(entries), ...ofType(entries, 'locked')].map((e) => e.data.runId));
}
