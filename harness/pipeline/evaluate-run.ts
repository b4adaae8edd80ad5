import { existsSync } from 'node:fs';
import { inputError } from '../core/errors.js';
import type { Scorecard, TraceEvent } from '../core/types/index.js';
import { runCheck } from '../evaluation/checks.js';
import { outputViolations } from '../evaluation/output-violations.js';
import { buildScorecard, costUsd, evaluationLog } from '../evaluation/scorecard.js';
import { summarizeTrace, type TraceSummary } from '../evaluation/trace-summary.js';
import { writeFileUnsynced, writeJsonUnsynced } from '../store/atomic-write.js';
import { listTree } from '../store/file-tree.js';
import { readTrace } from '../store/trace-file.js';
import { runsDirFlag } from '../experiment/locate.js';
import { loadValidRun, type ValidRun } from './load-run.js';
import { noResult, redoHint } from './attempt-state.js';

export interface EvaluateResult {
  runId: string;
  scorecardFile: string;
  scorecard: Scorecard;
  replaced: boolean;
}

// evaluate: the task's checks over outputs/ and the trace, into scorecard.json and
// evaluation.log. An unlocked run may be re-evaluated (the scorecard is replaced); a locked run
// is never touched.
export async function evaluateRun(dirOrManifest: string): Promise<EvaluateResult> {
  return evaluateValidRun(await loadValidRun(dirOrManifest, new Map()));
}

// `trace`: the events the execution just wrote, when it happened in this process; otherwise
// agent.log is read back and every line checked against the trace-event schema.
export async function evaluateValidRun({ files, manifest, ctx }: ValidRun, options: { trace?: readonly TraceEvent[] } = {}): Promise<EvaluateResult> {
  if (existsSync(files.lock)) throw inputError(`${manifest.runId} is locked; a locked run is never re-evaluated`, { hint: `make a new attempt with \`harness rerun ${manifest.runId}${runsDirFlag(ctx.frozen.runsDir)} --reason "…"\` to evaluate again` });
  if (!existsSync(files.trace)) throw inputError(`${manifest.runId} has not been executed (no agent.log)`, { hint: `run \`harness pin-and-run --execute --manifest ${files.manifest}\` first` });
  const trace = summarizeTrace(options.trace ?? (await readTrace(files.trace)));
  requireResult({ files, manifest, ctx }, trace);
  const task = ctx.exp.tasks.find((t) => t.id === manifest.task.id)!;
  const listing = existsSync(files.outputs) ? await listTree(files.outputs) : { files: [], odd: [] };
  const checkCtx = { outputs: files.outputs, files: listing.files, odd: listing.odd, fixture: task.workspaceFiles, trace, sandbox: manifest.sandbox.mode };
  const checks = [];
  for (const check of task.spec.checks) checks.push(await runCheck(check, checkCtx));
  const scorecard = buildScorecard(manifest, checks, trace, await outputViolations(files.outputs, listing.odd, manifest.sandbox.mode), new Date());
  const replaced = existsSync(files.scorecard);
  // Made durable with the rest of the run when it is locked; until then a lost scorecard only
  // means the run is evaluated again (or abandoned).
  writeFileUnsynced(files.evaluationLog, evaluationLog(scorecard, costUsd(trace.model ?? manifest.provider.model, trace.usage).priced));
  writeJsonUnsynced(files.scorecard, scorecard);
  return { runId: manifest.runId, scorecardFile: files.scorecard, scorecard, replaced };
}

// An execution that was cut off (no run_end: a crash or a kill) or failed for infrastructure
// reasons is an attempt, not a result: evaluated, it would be locked and counted as the variant's
// failure. `run` registers such an attempt as abandoned (or retried) and runs the slot again.
function requireResult(run: ValidRun, trace: TraceSummary): void {
  const why = noResult(trace);
  if (why === undefined) return;
  throw inputError(`${run.manifest.runId} is not a result: ${why}; it is never evaluated or locked`, { hint: redoHint(run) });
}
