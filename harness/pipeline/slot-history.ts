import { ofType, type EntryOf } from '../core/entries.js';
import type { RegistryEntry, ScheduleSlot } from '../core/types/index.js';
import { readAndFollow } from '../store/registry-read.js';
import { currentRuns, slotKey, supersededRuns } from './current-runs.js';
import { givenUp, type SlotAttempts } from './slot-state.js';

// What the registry says about the slots of a run set: read in full as `run` starts, then followed
// as it grows (other `run` processes append to it meanwhile), never read in full again per slot.
export class SlotHistory {
  /** The run standing for each slot as `run` started. */
  readonly current: Map<string, EntryOf<'locked'>>;
  private readonly superseded: Set<string>;
  /** Attempts already accounted for: registered as abandoned, or retried after an infrastructure failure, by any process (and, see isAccountedFor, locked). */
  private readonly accounted: Set<string>;
  /** The highest attempt pinned per slot, should a run folder have been lost with its unsynced rename (power loss). */
  private readonly pinnedAttempts = new Map<string, number>();
  private readonly registeredLocks = new Map<string, EntryOf<'locked'>>();

  private constructor(entries: readonly RegistryEntry[], private readonly follow: () => RegistryEntry[]) {
    this.current = currentRuns(entries);
    this.superseded = supersededRuns(entries);
    this.accounted = new Set();
    for (const e of ofType(entries, 'pinned')) {
      const key = slotKey(e.data.pairId, e.data.variant);
      this.pinnedAttempts.set(key, Math.max(this.pinnedAttempts.get(key) ?? 0, e.data.attempt));
    }
    this.note(entries);
  }

  static async read(registry: string): Promise<SlotHistory> {
    const { entries, follow } = await readAndFollow(registry);
    return new SlotHistory(entries, follow);
  }

  isSuperseded(runId: string): boolean {
    return this.superseded.has(runId);
  }

  isAccountedFor(runId: string): boolean {
    // Another process may have given the attempt up since (a `run` stopped by Ctrl-C registers
    // the attempts it pinned and never started): it is not given up a second time.
    this.catchUp();
    // A registered lock accounts for a run too: one whose lock.json was lost since is named by
    // verify and redone by rerun, never recorded as an attempt cut off by a crash.
    return this.accounted.has(runId) || this.registeredLocks.has(runId);
  }

  accountFor(runId: string): void {
    this.accounted.add(runId);
  }

  /** The next attempt of a slot: past both its run folders and the registry's pins, so a run id is never pinned twice. */
  nextAttempt(slot: ScheduleSlot, state: SlotAttempts): number {
    return Math.max(state.latest, this.pinnedAttempts.get(slotKey(slot.pairId, slot.variant)) ?? 0) + 1;
  }

  /** The `locked` entry of a run, also of one another process registered since `run` started. */
  registeredLock(runId: string): EntryOf<'locked'> | undefined {
    this.catchUp();
    return this.registeredLocks.get(runId);
  }

  // Entries appended since the last look, by this process or another.
  private catchUp(): void {
    this.note(this.follow());
  }

  private note(entries: readonly RegistryEntry[]): void {
    for (const e of ofType(entries, 'locked')) this.registeredLocks.set(e.data.runId, e);
    for (const e of givenUp(entries)) this.accounted.add(e.data.runId);
  }
}
