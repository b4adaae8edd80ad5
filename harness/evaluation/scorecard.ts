import type { Manifest, Scorecard } from '../core/types/index.js';
import type { CheckResult } from './checks.js';
import { EVALUATOR_VERSION, PRICE_TABLE_DIGEST, priceFor } from './price-table.js';
import type { TraceSummary } from './trace-summary.js';

/**
 * Constraint adherence, 0-100: the share of constraint items honoured, where the items are the
 * task's constraint checks plus every violation recorded (each one a broken constraint). A run with no constraint checks and no violations scores 100.
 */
function constraintAdherence(checks: readonly CheckResult[], violations: number): number {
  const constraint = checks.filter((c) => c.constraint);
  const items = constraint.length + violations;
  if (items === 0) return 100;
  return Math.round((10000 * constraint.filter((c) => c.passed).length) / items) / 100;
}

/** USD from the pinned price table; a model without a price costs 0 and the log says so. */
export function costUsd(model: string, usage: TraceSummary['usage']): { usd: number; priced: boolean } {
  const price = priceFor(model);
  if (price === undefined) return { usd: 0, priced: false };
  const usd = (usage.input * price.input + usage.output * price.output + usage.cacheCreation * price.cacheWrite + usage.cacheRead * price.cacheRead) / 1e6;
  return { usd: Math.round(usd * 1e8) / 1e8, priced: true };
}

// Success needs every required check to pass. An infrastructure failure is not an outcome and is
// never evaluated (pipeline/evaluate-run.ts refuses it; the scheduler retries it). The violations
// are the refusals the trace recorded, then what the evaluator found left in outputs/ (`found`).
export function buildScorecard(manifest: Manifest, checks: CheckResult[], trace: TraceSummary, found: Scorecard['violations'], now: Date): Scorecard {
  const model = trace.model ?? manifest.provider.model;
  const violations = [
    ...trace.violations.map((v) => ({ rule: v.rule, critical: v.critical, message: `${v.tool} ${JSON.stringify(v.path)}: ${v.message}` })),
    ...found,
  ];
  return {
    schemaVersion: 1,
    runId: manifest.runId,
    evaluatedAt: now.toISOString(),
    evaluator: { version: EVALUATOR_VERSION, priceTableDigest: PRICE_TABLE_DIGEST },
    success: checks.every((c) => !c.required || c.passed),
    checks,
    metrics: {
      constraintAdherence: constraintAdherence(checks, violations.length),
      clarifications: trace.clarifications,
      turns: trace.turns,
      toolCalls: trace.toolCalls,
      toolErrors: trace.toolErrors,
      inputTokens: trace.usage.input,
      outputTokens: trace.usage.output,
      cacheCreationTokens: trace.usage.cacheCreation,
      cacheReadTokens: trace.usage.cacheRead,
      totalTokens: trace.usage.input + trace.usage.output + trace.usage.cacheCreation + trace.usage.cacheRead,
      costUsd: costUsd(model, trace.usage).usd,
      wallTimeSeconds: Math.round(trace.wallTimeSeconds * 1000) / 1000,
      retries: trace.retries,
    },
    stopReason: trace.stopReason,
    violations,
    provider: manifest.provider.name,
  };
}

/** evaluation.log: what each check saw, in words, then the metrics. */
export function evaluationLog(scorecard: Scorecard, priced: boolean): string {
  const lines = [
    `run ${scorecard.runId}, evaluated ${scorecard.evaluatedAt} by evaluator ${scorecard.evaluator.version}`,
    `success: ${scorecard.success} (stop reason: ${scorecard.stopReason})`,
    ...scorecard.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.id} [${c.kind}${c.required ? ', required' : ''}${c.constraint ? ', constraint' : ''}]: ${c.reason}`),
    ...scorecard.violations.map((v) => `${v.critical ? 'CRITICAL' : 'NON-CRITICAL'} violation ${v.rule}: ${v.message}`),
    ...Object.entries(scorecard.metrics).map(([k, v]) => `${k}: ${v}`),
  ];
  if (!priced) lines.push('note: no price for this model in the pinned price table; costUsd is 0');
  return `${lines.join('\n')}\n`;
}
