import path from 'node:path';
import type { Preregistration, RegistryEntry, Scorecard } from '../core/types/index.js';
import { loadJsonIfValid } from '../documents/validate.js';
import { currentRuns, slotKey } from '../pipeline/current-runs.js';
import type { FrozenSet } from '../pipeline/frozen-set.js';
import { runFiles } from '../pipeline/load-run.js';
import { failedAttempts } from '../pipeline/slot-state.js';
import { ofType } from '../core/entries.js';

export type Metrics = Scorecard['metrics'];

export interface PairedObservation {
  pairId: string;
  task: string;
  treatment: { runId: string; success: boolean; metrics: Metrics };
  control: { runId: string; success: boolean; metrics: Metrics };
}

export interface Exclusion {
  pairId: string;
  rule: string;
  reason: string;
}

export interface Dataset {
  treatment: string;
  control: string;
  pairsPlanned: number;
  pairs: PairedObservation[];
  /** Scheduled pairs with a registered exclusion: dropped whole. */
  excluded: Exclusion[];
  /** Scheduled pairs not (yet) complete and not excluded. */
  incomplete: string[];
  runsLocked: number;
  /** Attempts that failed for infrastructure reasons (pipeline/slot-state.ts failedAttempts). */
  infrastructureFailures: number;
  /** Attempts abandoned without failing (Ctrl-C, a crash, a kill). */
  interrupted: number;
}

// One observation per scheduled pair: the current (latest non-superseded) locked run of each arm.
// Excluded pairs are dropped whole; ad hoc and superseded runs never enter.
export async function buildDataset(frozen: FrozenSet, prereg: Preregistration, entries: readonly RegistryEntry[]): Promise<Dataset> {
  const hypothesis = prereg.hypotheses[0]!;
  const current = currentRuns(entries);
  const excluded = new Map<string, Exclusion>();
  for (const e of entries) if (e.type === 'excluded') excluded.set(e.data.pairId, { pairId: e.data.pairId, rule: e.data.rule, reason: e.data.reason });
  const pairIds = [...new Set(frozen.schedule.slots.map((s) => s.pairId))];
  const taskOf = new Map(frozen.schedule.slots.map((s) => [s.pairId, s.task]));
  const pairs: PairedObservation[] = [];
  const incomplete: string[] = [];
  for (const pairId of pairIds) {
    if (excluded.has(pairId)) continue;
    const t = current.get(slotKey(pairId, hypothesis.treatment));
    const c = current.get(slotKey(pairId, hypothesis.control));
    if (t === undefined || c === undefined) {
      incomplete.push(pairId);
      continue;
    }
    const treatment = arm(frozen, t.data.runId);
    const control = arm(frozen, c.data.runId);
    // A locked run whose folder or scorecard is gone or broken cannot be analysed (`analyze`
    // refuses runs that no longer match their locks; `verify` and the audit name the damage), and the pair stays unanalysed until it is excluded (rule harness-fault).
    if (treatment === undefined || control === undefined) {
      incomplete.push(pairId);
      continue;
    }
    pairs.push({ pairId, task: taskOf.get(pairId)!, treatment, control });
  }
  const failed = failedAttempts(entries);
  return {
    treatment: hypothesis.treatment,
    control: hypothesis.control,
    pairsPlanned: pairIds.length,
    pairs,
    excluded: [...excluded.values()],
    incomplete,
    runsLocked: current.size,
    infrastructureFailures: failed.length,
    interrupted: ofType(entries, 'abandoned').filter((e) => !failed.includes(e)).length,
  };
}

// The outcome is the scorecard's, the document the run's lock covers; the registry's copy of it
// (what status and the record files read) is checked against it by verify and the audit.
function arm(frozen: FrozenSet, runId: string): PairedObservation['treatment'] | undefined {
  const scorecard = loadJsonIfValid<Scorecard>('scorecard', runFiles(path.join(frozen.runsDir, runId)).scorecard);
  return scorecard === undefined ? undefined : { runId, success: scorecard.success, metrics: scorecard.metrics };
}
