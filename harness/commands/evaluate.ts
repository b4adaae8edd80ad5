import type { Scorecard } from '../core/types/index.js';
import { evaluateRun } from '../pipeline/evaluate-run.js';

export interface EvaluateOptions {
  manifest: string;
}

export interface EvaluateCommandResult {
  runId: string;
  scorecard: string;
  replaced: boolean;
  success: boolean;
  failedChecks: { id: string; reason: string; required: boolean }[];
  metrics: Scorecard['metrics'];
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateCommandResult> {
  const r = await evaluateRun(options.manifest);
  return {
    runId: r.runId,
    scorecard: r.scorecardFile,
    replaced: r.replaced,
    success: r.scorecard.success,
    failedChecks: r.scorecard.checks.filter((c) => !c.passed).map((c) => ({ id: c.id, reason: c.reason, required: c.required })),
    metrics: r.scorecard.metrics,
  };
}
