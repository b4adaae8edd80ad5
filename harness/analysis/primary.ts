import {
  clusteredMeanDifference, intervalLevel, mcnemarExact, pairedOddsRatio, pairedRiskDifference, wilsonInterval, type Alternative,
} from './stats/index.js';
import type { PairedObservation } from './dataset.js';
import type { AnalysisReport, Preregistration } from '../core/types/index.js';
import { finite } from './numbers.js';

/** Types from schemas/report.schema.json: the analysis produces exactly what the report holds. */
export type PrimaryResult = NonNullable<AnalysisReport['primary']>;
export type SuccessRate = PrimaryResult['successRates'][number];
type Hypothesis = Preregistration['hypotheses'][number];

// The registered primary analysis: exact McNemar on the discordant pairs pooled over tasks,
// with the paired risk difference (Newcombe CI), the odds ratio b/c, per-task counts, success
// rates with Wilson CIs, and a task-clustered SE of the mean paired difference (Miller 2024).
// Every interval is at the level that matches the registered test (intervalLevel); a task with no
// analysable pair has no risk difference and no success rate.
export function primaryAnalysis(pairs: readonly PairedObservation[], tasks: readonly string[], hypothesis: Hypothesis, sidedness: Alternative, alpha: number): PrimaryResult {
  const confLevel = intervalLevel(alpha, sidedness);
  const table = counts(pairs);
  const test = mcnemarExact(table.b, table.c, sidedness);
  const or = pairedOddsRatio(table.b, table.c, confLevel);
  const diffs = pairs.map((p) => Number(p.treatment.success) - Number(p.control.success));
  const clustered = pairs.length >= 2 && new Set(pairs.map((p) => p.task)).size >= 2 ? clusteredMeanDifference(diffs, pairs.map((p) => p.task), confLevel) : null;
  return {
    test: 'mcnemar-exact', sidedness, alpha, n: pairs.length, b: table.b, c: table.c,
    pValue: test.pValue, midPValue: test.midPValue, significant: test.pValue < alpha,
    favours: table.b === table.c ? null : table.b > table.c ? hypothesis.treatment : hypothesis.control,
    asHypothesised: pointsAsHypothesised(table.b - table.c, hypothesis.direction),
    confLevel,
    riskDifference: pairedRiskDifference(table, confLevel),
    oddsRatio: { estimate: finite(or.estimate), lower: finite(or.lower), upper: finite(or.upper) },
    clustered: clustered && { mean: clustered.mean, se: clustered.se, naiveSe: clustered.naiveSe, lower: clustered.lower, upper: clustered.upper, clusters: clustered.clusters },
    perTask: tasks.map((task) => {
      const inTask = pairs.filter((p) => p.task === task);
      const t = counts(inTask);
      return { task, n: inTask.length, b: t.b, c: t.c, riskDifference: inTask.length > 0 ? pairedRiskDifference(t, confLevel) : null };
    }),
    successRates: [...tasks, 'all'].flatMap((task) => {
      const inTask = task === 'all' ? pairs : pairs.filter((p) => p.task === task);
      return (['treatment', 'control'] as const).map((armKey) => rate(hypothesis[armKey], task, inTask.map((p) => p[armKey].success), confLevel));
    }),
  };
}

// b − c > 0: the treatment succeeded alone more often.
function pointsAsHypothesised(bMinusC: number, direction: Hypothesis['direction']): boolean {
  switch (direction) {
    case 'greater':
      return bMinusC > 0;
    case 'less':
      return bMinusC < 0;
    case 'different':
      return bMinusC !== 0;
  }
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

function rate(variant: string, task: string, outcomes: boolean[], confLevel: number): SuccessRate {
  const n = outcomes.length;
  const successes = outcomes.filter(Boolean).length;
  if (n === 0) return { variant, task, successes, n, rate: null, lower: null, upper: null };
  const ci = wilsonInterval(successes, n, confLevel);
  return { variant, task, successes, n, rate: successes / n, lower: ci.lower, upper: ci.upper };
}
