import { inputError } from '../core/errors.js';
import type { ScheduleSlot } from '../core/types/index.js';
import { runsDirFlag } from '../experiment/locate.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import type { FrozenSet } from '../pipeline/frozen-set.js';
import { openRunSet } from '../pipeline/open-run-set.js';
import { Progress, type ProgressSnapshot } from '../pipeline/progress.js';
import { writeProgressCsv } from '../pipeline/progress-records.js';
import { resolveSandbox, startSandboxProbe, type SandboxRequest } from '../pipeline/sandbox-mode.js';
import { runSchedule, type RunnerSummary } from '../pipeline/schedule-runner.js';
import { healRecordFiles } from '../store/registry.js';
import { readEntries } from '../store/registry-read.js';

export type { ProgressSnapshot, VariantProgress } from '../pipeline/progress.js';

export interface RunOptions {
  experiment: string;
  jobs: number;
  provider?: ProviderName;
  /** --only filters (a slot runs when it matches any); none: every slot. */
  only?: readonly string[];
  runsDir?: string;
  sandbox?: SandboxRequest;
  /** Called with the progress source once the run starts (the CLI shows it). */
  onStart?: (snapshot: () => ProgressSnapshot) => void;
  /** Once aborted (Ctrl-C), no further run starts; the runs under way finish and lock. */
  stop?: AbortSignal;
}

export interface RunResult extends RunnerSummary {
  experiment: string;
  /** The run set's folder. */
  runsDir: string;
  provider: ProviderName;
  complete: boolean;
  /** Stopped early by the caller (Ctrl-C). */
  stopped: boolean;
  progress: ProgressSnapshot;
  /** The command that checks the run set's locked runs (with its --runs-dir). */
  verifyCommand: string;
}

// run: the whole frozen schedule (or the --only part of it), make-style.
export async function run(options: RunOptions): Promise<RunResult> {
  startSandboxProbe(options.sandbox);
  const { exp, frozen } = await openRunSet(options.experiment, options.runsDir, 'execute', options.provider);
  const provider = frozen.record.provider;
  const only = parseOnly(options.only ?? [], frozen, exp.config.tasks, exp.config.variants);
  const sandbox = await resolveSandbox({ exp, frozen }, options.sandbox);
  const progress = new Progress(exp.config.variants, exp.preregistration.blinding.outcomesHiddenUntilComplete);
  if (options.stop?.aborted === true) progress.stop();
  else options.stop?.addEventListener('abort', () => progress.stop(), { once: true });
  options.onStart?.(() => progress.snapshot());
  const refreshRecords = async () => writeProgressCsv(frozen.runsDir, frozen.schedule, await readEntries(frozen.files.registry));
  // A failed refresh must not end the run; the final refresh below reports any error.
  const ticker = setInterval(() => void refreshRecords().catch(() => undefined), 5000);
  try {
    const summary = await runSchedule(exp, frozen, { jobs: options.jobs, sandbox, only, progress, verifySkipped: true, keepPairsWhole: true, stop: options.stop });
    const complete = summary.incomplete.length === 0 && summary.notVerified.length === 0;
    return { ...summary, experiment: exp.config.id, runsDir: frozen.runsDir, provider, complete, stopped: options.stop?.aborted === true, progress: progress.snapshot(), verifyCommand: `harness verify ${exp.config.id}${runsDirFlag(frozen.runsDir)}` };
  } finally {
    clearInterval(ticker);
    await refreshRecords();
    await healRecordFiles(frozen.files.registry);
  }
}

/**
 * `--only task=TASK-003,variant=goal-centric` (or pair=pair-0007): a slot matches a filter when
 * every key given matches; with --only given several times, a slot runs when it matches any of them.
 */
function parseOnly(specs: readonly string[], frozen: FrozenSet, tasks: readonly string[], variants: readonly string[]): (slot: ScheduleSlot) => boolean {
  if (specs.length === 0) return () => true;
  const pairs = [...new Set(frozen.schedule.slots.map((s) => s.pairId))];
  const matches = (f: Partial<Record<FilterKey, string>>, slot: ScheduleSlot) => (f.task === undefined || slot.task === f.task) && (f.variant === undefined || slot.variant === f.variant) && (f.pair === undefined || slot.pairId === f.pair);
  const filters = specs.map((spec) => {
    const f = parseFilter(spec, { task: tasks, variant: variants, pair: pairs });
    // Keys that each exist but never meet (a pair of another task) would select nothing, silently.
    if (!frozen.schedule.slots.some((slot) => matches(f, slot))) throw inputError(`--only "${spec}" matches no slot of the schedule`, { hint: `each pair belongs to one task: see ${frozen.files.schedule}` });
    return f;
  });
  return (slot) => filters.some((f) => matches(f, slot));
}

type FilterKey = 'task' | 'variant' | 'pair';

function parseFilter(spec: string, known: Record<FilterKey, readonly string[]>): Partial<Record<FilterKey, string>> {
  const usage = 'write --only task=TASK-003, --only variant=goal-centric, --only pair=pair-0007, or keys together (task=TASK-003,variant=goal-centric; pair=pair-0007,variant=goal-centric for one slot); give --only again for more slots';
  const wanted: Partial<Record<FilterKey, string>> = {};
  for (const part of spec.split(',')) {
    const [key, value] = part.split('=');
    if (!(key === 'task' || key === 'variant' || key === 'pair') || value === undefined || value === '') throw inputError(`--only: cannot read "${part}"`, { hint: usage });
    if (wanted[key] !== undefined) throw inputError(`--only "${spec}" names a ${key} twice; a slot has one`, { hint: usage });
    if (!known[key].includes(value)) {
      const list = known[key];
      throw inputError(`--only: unknown ${key} "${value}"`, { hint: `known: ${list.length > 8 ? `${list[0]} … ${list.at(-1)}` : list.join(', ')}` });
    }
    wanted[key] = value;
  }
  return wanted;
}
