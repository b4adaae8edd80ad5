import {
  clusteredMeanDifference, mcnemarExact, pairedOddsRatio, pairedRiskDifference, wilsonInterval, type Alternative,
} from './stats/index.js';
import type { PairedObservation } from './dataset.js';
import type { AnalysisReport } from '../core/types/index.js';
import { finite } from './numbers.js';

/** Types from schemas/report.schema.json: the analysis produces exactly what the report holds. */
export type PrimaryResult = NonNullable<AnalysisReport['primary']>;
export type SuccessRate = PrimaryResult['successRates'][number];

// The registered primary analysis: exact McNemar on the discordant pairs pooled over tasks,
// with the paired risk difference (Newcombe CI), the odds ratio b/c, per-task counts, success
// rates with Wilson CIs, and a task-clustered SE of the mean paired difference (Miller 2024).
export function primaryAnalysis(pairs: readonly PairedObservation[], tasks: readonly string[], arms: { treatment: string; control: string }, sidedness: Alternative, alpha: number): PrimaryResult {
  const table = counts(pairs);
  const test = mcnemarExact(table.b, table.c, sidedness);
  const rd = pairedRiskDifference(table);
  const or = pairedOddsRatio(table.b, table.c);
  const diffs = pairs.map((p) => Number(p.treatment.success) - Number(p.control.success));
  const clustered = pairs.length >= 2 && new Set(pairs.map((p) => p.task)).size >= 2 ? clusteredMeanDifference(diffs, pairs.map((p) => p.task)) : null;
  return {
    test: 'mcnemar-exact', sidedness, alpha, n: pairs.length, b: table.b, c: table.c,
    pValue: test.pValue, midPValue: test.midPValue, significant: test.pValue < alpha,
    riskDifference: rd,
    oddsRatio: { estimate: finite(or.estimate), lower: finite(or.lower), upper: finite(or.upper) },
    clustered: clustered && { mean: clustered.mean, se: clustered.se, naiveSe: clustered.naiveSe, lower: clustered.lower, upper: clustered.upper, clusters: clustered.clusters },
    perTask: tasks.map((task) => {
      const inTask = pairs.filter((p) => p.task === task);
      const t = counts(inTask);
      return { task, n: inTask.length, b: t.b, c: t.c, riskDifference: inTask.length > 0 ? pairedRiskDifference(t) : { estimate: 0, lower: -1, upper: 1 } };
    }),
    successRates: [...tasks, 'all'].flatMap((task) => {
      const inTask = task === 'all' ? pairs : pairs.filter((p) => p.task === task);
      return (['treatment', 'control'] as const).map((armKey) => rate(arms[armKey], task, inTask.map((p) => p[armKey].success)));
    }),
  };
}

function counts(pairs: readonly PairedObservation[]): { a: number; b: number; c: number; d: number } {
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (const p of pairs) {
    if (p.treatment.success && p.control.success) t.a++;
    else if (p.treatment.success) t.b++;
    else if (p.control.success) t.c++;
    else t.d++;
  }
  return t;
}

function rate(variant: string, task: string, outcomes: boolean[]): SuccessRate {
  const n = outcomes.length;
  const successes = outcomes.filter(Boolean).length;
  const ci = n > 0 ? wilsonInterval(successes, n) : { lower: 0, upper: 1 };
  return { variant, task, successes, n, rate: n > 0 ? successes / n : 0, lower: ci.lower, upper: ci.upper };
}
