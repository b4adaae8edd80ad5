import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EntryOf } from '../core/entries.js';
import { inputError } from '../core/errors.js';
import { defaultRunsRoot, runSetFiles, runsDirFlag } from '../experiment/locate.js';
import { currentRuns, outcomesHidden, slotKey } from '../pipeline/current-runs.js';
import { Progress } from '../pipeline/progress.js';
import { writeProgressCsv } from '../pipeline/progress-records.js';
import { resolveSandbox, type SandboxRequest } from '../pipeline/sandbox-mode.js';
import { runSchedule } from '../pipeline/schedule-runner.js';
import { appendEntry } from '../store/registry.js';
import { readEntries } from '../store/registry-read.js';
import { openRunSet } from '../pipeline/open-run-set.js';
import { partnerDifferences, type PartnerDifference } from '../pipeline/pair-guard.js';
import { runFiles } from '../pipeline/load-run.js';
import { loadJsonIfValid } from '../documents/validate.js';
import type { Manifest } from '../core/types/index.js';

export interface RerunOptions {
  runId: string;
  reason: string;
  experiment?: string;
  runsDir?: string;
  sandbox?: SandboxRequest;
}

export interface RerunResult {
  superseded: string;
  newRunId: string | null;
  /** The new attempt's outcome; null when not locked, or when blinded. */
  success: boolean | null;
  /** Outcomes are hidden until every slot is done (pre-registered blinding) and some slot is not. */
  blinded: boolean;
  /** The new attempt's pair partners whose pins it does not share (a re-freeze, a new commit): the pair is broken until they are redone too. */
  brokenPair: PartnerDifference[];
}

// rerun: a new attempt for a locked run's slot. The old run stays on disk and in the registry,
// marked superseded with the reason; analysis then uses the new attempt, the audit sees both.
export async function rerun(options: RerunOptions): Promise<RerunResult> {
  if (options.reason.trim() === '') throw inputError('--reason must say why the run is redone', { hint: 'e.g. --reason "harness bug #12 fixed in the evaluator"' });
  const experiment = options.experiment ?? experimentOfRun(options.runsDir ?? defaultRunsRoot(), options.runId);
  const { exp, frozen } = await openRunSet(experiment, options.runsDir, 'execute');
  const entries = await readEntries(frozen.files.registry);
  const standing = currentRuns(entries);
  const run = [...standing.values()].find((e) => e.data.runId === options.runId);
  if (run === undefined) {
    const locked = entries.find((e): e is EntryOf<'locked'> => e.type === 'locked' && e.data.runId === options.runId);
    const instead = locked === undefined ? undefined : standing.get(slotKey(locked.data.pairId, locked.data.variant));
    // Superseded, and nothing stands for its slot yet: a rerun was stopped before its new attempt was locked.
    const unfinished = locked !== undefined && !locked.data.adhoc && instead === undefined;
    const hint = instead !== undefined ? `the run standing for its slot is ${instead.data.runId}`
      : unfinished ? `it was rerun, and that rerun stopped before its new attempt was locked; finish it: \`harness run ${exp.config.id}${runsDirFlag(frozen.runsDir)} --only pair=${locked.data.pairId},variant=${locked.data.variant}\``
        : locked === undefined && existsSync(path.join(frozen.runsDir, options.runId)) ? 'an unlocked run is finished by `harness run`, not rerun'
          : `${path.join(frozen.runsDir, 'registry.csv')} lists every run of the set`;
    throw inputError(locked !== undefined ? `${options.runId} is already superseded or ad hoc; only the run standing for a slot can be rerun` : `${options.runId} is not a locked run of ${exp.config.id}`, { hint });
  }
  const slot = frozen.schedule.slots.find((s) => s.pairId === run.data.pairId && s.variant === run.data.variant)!;
  // Everything that can refuse does so before the old run is marked superseded.
  const sandbox = await resolveSandbox({ exp, frozen }, options.sandbox, [slot.task]);
  await appendEntry(frozen.files.registry, exp.config.id, 'superseded', {
    runId: run.data.runId, slotIndex: slot.index, pairId: slot.pairId, task: slot.task, variant: slot.variant, reason: options.reason,
  });
  await runSchedule(exp, frozen, { jobs: 1, sandbox, only: (s) => s.index === slot.index, progress: new Progress(exp.config.variants), verifySkipped: false, keepPairsWhole: false });
  const after = await readEntries(frozen.files.registry);
  await writeProgressCsv(frozen.runsDir, frozen.schedule, after);
  const current = currentRuns(after);
  const now = current.get(slotKey(slot.pairId, slot.variant));
  const blinded = outcomesHidden({ exp, frozen }, after);
  const manifest = now === undefined ? undefined : loadJsonIfValid<Manifest>('manifest', runFiles(path.join(frozen.runsDir, now.data.runId)).manifest);
  const brokenPair = manifest === undefined ? [] : partnerDifferences(frozen, current, manifest);
  return { superseded: run.data.runId, newRunId: now?.data.runId ?? null, success: blinded ? null : now?.data.success ?? null, blinded, brokenPair };
}

function experimentOfRun(runsRoot: string, runId: string): string {
  if (runId.includes('/')) throw inputError(`rerun takes a run id, not a path: ${runId}`, { hint: `pass the run folder's name, e.g. ${path.basename(runId)}, and --runs-dir if its run set is not under runs/` });
  // By its folder, or by the registry when the folder is gone (verify names that; rerun redoes it).
  const holds = (exp: string): boolean => {
    const registry = runSetFiles(path.join(runsRoot, exp)).registry;
    return existsSync(path.join(runsRoot, exp, runId)) || (existsSync(registry) && readFileSync(registry, 'utf8').includes(`"runId":${JSON.stringify(runId)}`));
  };
  const found = existsSync(runsRoot) ? readdirSync(runsRoot).filter(holds) : [];
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw inputError(`no run ${runId} under ${runsRoot}/`, { hint: `check the run id (${runsRoot}/<exp>/registry.csv lists every run), and pass --runs-dir if its run set is not under ${runsRoot}/ (or --experiment <id>)` });
  }
  throw inputError(`${runId} exists in several run sets: ${found.join(', ')}`, { hint: 'name the experiment with --experiment' });
}
