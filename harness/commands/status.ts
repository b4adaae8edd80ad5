import path from 'node:path';
import { ofType } from '../core/entries.js';
import type { RegistryEntry, Scorecard } from '../core/types/index.js';
import { loadJsonIfValid } from '../documents/validate.js';
import { currentRuns, slotKey } from '../pipeline/current-runs.js';
import { changedInputs, describeChange } from '../pipeline/frozen-set.js';
import { readRunSet } from '../pipeline/open-run-set.js';
import { runsDirFlag } from '../experiment/locate.js';
import { Progress, type ProgressSnapshot } from '../pipeline/progress.js';
import { runFiles } from '../pipeline/load-run.js';
import { closedRunIds, failedAttempts } from '../pipeline/slot-state.js';

export interface StatusOptions {
  experiment: string;
  runsDir?: string;
}

export interface StatusResult {
  experiment: string;
  provider: string;
  /** A pilot set (one pair per task, never counted by the confirmatory analysis). */
  pilot: boolean;
  progress: ProgressSnapshot;
  complete: boolean;
  /** What changed in the experiment since freezing (run, analyze and exclude refuse the set until it is undone or recorded). */
  inputsChanged: string[];
  /** Scheduled attempts pinned but neither locked nor given up: under way, or left unfinished (by hand, or cut off by a crash). */
  unfinished: string[];
  /** The command that gives up the unfinished attempts no process works on and runs their slots (with this set's --runs-dir). */
  runCommand: string;
}

// status: the progress table from the files alone (registry and scorecards); runs nothing.
export async function status(options: StatusOptions): Promise<StatusResult> {
  const { exp, frozen, entries } = await readRunSet(options.experiment, options.runsDir);
  const location = exp.location;
  const current = currentRuns(entries);
  const progress = new Progress(frozen.schedule.variants, exp.preregistration.blinding.outcomesHiddenUntilComplete);
  for (const slot of frozen.schedule.slots) {
    progress.addSlot(slot.variant);
    const run = current.get(slotKey(slot.pairId, slot.variant));
    if (run === undefined) continue;
    // A scorecard gone from a locked run, or broken, leaves its slot done but untimed (status
    // reads files; `verify` reports the damage).
    const scorecard = loadJsonIfValid<Scorecard>('scorecard', runFiles(path.join(frozen.runsDir, run.data.runId)).scorecard);
    if (scorecard === undefined) progress.alreadyDone(slot.variant, run.data.success);
    else progress.finished(slot.variant, run.data.success, scorecard.metrics.wallTimeSeconds);
  }
  // Every attempt that failed for infrastructure reasons is an error; those retried, a retry too.
  for (const f of failedAttempts(entries)) progress.infrastructureError(f.data.variant);
  for (const r of ofType(entries, 'retried')) progress.retried(r.data.variant);
  const snapshot = progress.snapshot();
  return { experiment: location.id, provider: frozen.record.provider, pilot: frozen.record.pilot, progress: { ...snapshot, elapsedSeconds: 0, etaSeconds: null }, complete: snapshot.total.done === snapshot.total.total,
    inputsChanged: changedInputs(exp, frozen).map((c) => `${c.file}: ${describeChange(c)}`),
    unfinished: unfinishedAttempts(entries),
    runCommand: `harness run ${location.id}${runsDirFlag(frozen.runsDir)}`,
  };
}

function unfinishedAttempts(entries: readonly RegistryEntry[]): string[] {
  const closed = closedRunIds(entries);
  return ofType(entries, 'pinned').filter((e) => !e.data.adhoc && !closed.has(e.data.runId)).map((e) => e.data.runId);
}
