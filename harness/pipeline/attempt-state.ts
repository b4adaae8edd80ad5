import { existsSync } from 'node:fs';
import { summarizeTrace, type TraceSummary } from '../evaluation/trace-summary.js';
import { relativeToCwd, runsDirFlag } from '../experiment/locate.js';
import { readTrace } from '../store/trace-file.js';
import type { ValidRun } from './load-run.js';
import { givenUp } from './slot-state.js';
import { outcomesHidden } from './current-runs.js';
import { readEntries } from '../store/registry-read.js';

/**
 * What is left to do for an attempt that is not locked, by the files it has, as the command that
 * does it: execute it, evaluate and lock it, lock it; or, when its execution was cut off or failed
 * (no result: never evaluated or locked), the command that gives it up and runs its slot again.
 */
export async function unfinishedAttemptHint(run: ValidRun): Promise<string> {
  const { files, manifest, ctx } = run;
  // Given up already (by run, or after a failure by hand): nothing is left to do with it.
  const given = givenUp(await readEntries(ctx.frozen.files.registry)).find((e) => e.data.runId === manifest.runId);
  if (given !== undefined) return `it was given up (registered ${given.type}), so it is never finished or locked: its slot has a newer attempt, or gets one when you pin it again`;
  const m = relativeToCwd(files.manifest);
  const dir = relativeToCwd(files.dir);
  if (!existsSync(files.trace)) return `execute it: \`harness pin-and-run --execute --manifest ${m}\`, then evaluate and lock it`;
  const why = noResult(summarizeTrace(await readTrace(files.trace).catch(() => [])));
  if (why !== undefined) return `${why}, so it is no result and is never evaluated or locked: ${redoHint(run)}`;
  if (!existsSync(files.scorecard)) return `evaluate it, then lock it: \`harness evaluate --manifest ${m}\`, then \`harness lock-run ${dir}\``;
  return `lock it: \`harness lock-run ${dir}\``;
}

/** How an attempt that is no result is replaced: its slot run again (which gives it up first), or, ad hoc, a new pin. */
export function redoHint({ manifest, ctx }: ValidRun): string {
  return manifest.adhoc ? 'pin a new ad hoc run with `harness pin-and-run --init --adhoc …`'
    : `\`harness run ${manifest.experiment.id}${runsDirFlag(ctx.frozen.runsDir)} --only pair=${manifest.slot.pairId},variant=${manifest.variant.id}\` gives it up (if it is not already) and runs its slot again`;
}

/** Why an executed attempt is no result (its execution was cut off, or failed for infrastructure reasons); undefined for a result. */
export function noResult(trace: TraceSummary): string | undefined {
  if (trace.infrastructureError !== null) return `its execution failed for infrastructure reasons (${trace.infrastructureError})`;
  return trace.stopReason === 'incomplete' ? 'its execution never finished (agent.log has no run_end: it is still running, or was cut off by a crash or a kill)' : undefined;
}

/** Whether a run's outcome is withheld now (outcomesHidden); never an ad hoc run's, which no analysis uses. */
export async function outcomeWithheld({ manifest, ctx }: ValidRun): Promise<boolean> {
  return !manifest.adhoc && outcomesHidden(ctx, await readEntries(ctx.frozen.files.registry));
}
