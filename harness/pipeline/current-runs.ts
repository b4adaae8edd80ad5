import { ofType, type EntryOf } from '../core/entries.js';
import type { RegistryEntry, ScheduleSlot } from '../core/types/index.js';
import type { ExperimentContext } from './experiment-context.js';

/** Slot key: one run per pair and variant. */
export const slotKey = (pairId: string, variant: string) => `${pairId}\0${variant}`;

// The run that stands for each slot: its latest locked, non-ad-hoc attempt that has not been
// superseded. Older attempts stay on disk and in the registry; analysis uses only these.
export function currentRuns(entries: readonly RegistryEntry[]): Map<string, EntryOf<'locked'>> {
  const superseded = supersededRuns(entries);
  const current = new Map<string, EntryOf<'locked'>>();
  for (const e of entries) {
    if (e.type !== 'locked' || e.data.adhoc || superseded.has(e.data.runId)) continue;
    const key = slotKey(e.data.pairId, e.data.variant);
    const known = current.get(key);
    if (known === undefined || e.data.attempt >= known.data.attempt) current.set(key, e);
  }
  return current;
}

/** Runs marked superseded by a rerun. */
export function supersededRuns(entries: readonly RegistryEntry[]): Set<string> {
  return new Set(ofType(entries, 'superseded').map((e) => e.data.runId));
}

/** The slots among `slots` that no run stands for yet (blinding holds while any slot of a set is open). */
export function openSlots(slots: readonly ScheduleSlot[], current: ReadonlyMap<string, EntryOf<'locked'>>): ScheduleSlot[] {
  return slots.filter((s) => !current.has(slotKey(s.pairId, s.variant)));
}

/**
 * Whether outcomes are hidden now: the pre-registration hides them until every slot of the set has
 * a run standing for it, and some slot has none yet. What `run`, `rerun`, `pin-and-run --full` and
 * `lock-run` print then says so instead of a success or failure.
 */
export function outcomesHidden({ exp, frozen }: ExperimentContext, entries: readonly RegistryEntry[]): boolean {
  return exp.preregistration.blinding.outcomesHiddenUntilComplete && openSlots(frozen.schedule.slots, currentRuns(entries)).length > 0;
}
