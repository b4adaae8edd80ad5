import type { AnalysisReport, Preregistration } from '../core/types/index.js';
import type { Metrics, PairedObservation } from './dataset.js';
import { attempt } from './numbers.js';
import { clusteredMeanDifference, hodgesLehmann, holm, intervalLevel, logRatio, mean, pairedT, signFlipTest, wilcoxonSignedRank, type Alternative } from './stats/index.js';

type Secondary = Preregistration['secondaryOutcomes'];
export type MetricName = Secondary['metrics'][number];

/** One metric's result, typed from schemas/report.schema.json. */
export type SecondaryResult = NonNullable<AnalysisReport['secondary']>[number];

// Each registered secondary metric: paired differences (treatment − control) under the registered
// test, mean difference with a paired-t CI, Hodges-Lehmann shift, task-clustered SE, log ratio
// where registered; p-values Holm-adjusted across the secondary family. The intervals are at the
// level matching the registered sidedness at the primary outcome's alpha (intervalLevel).
export function secondaryAnalysis(pairs: readonly PairedObservation[], plan: Secondary, alpha: number, seed: number): SecondaryResult[] {
  const sidedness: Alternative = plan.sidedness ?? 'two-sided';
  const confLevel = intervalLevel(alpha, sidedness);
  const results = plan.metrics.map((metric) => oneMetric(pairs, metric, plan, sidedness, confLevel, seed));
  const adjusted = holm(results.map((r) => r.test.pValue));
  return results.map((r, i) => ({ ...r, pHolm: adjusted[i]! }));
}

function oneMetric(pairs: readonly PairedObservation[], metric: MetricName, plan: Secondary, sidedness: Alternative, confLevel: number, seed: number): SecondaryResult {
  const t = pairs.map((p) => valueOf(p.treatment.metrics, metric));
  const c = pairs.map((p) => valueOf(p.control.metrics, metric));
  const notes: string[] = [];
  const note = (n: string | null) => { if (n) notes.push(n); };
  const ttest = attempt(() => pairedT(t, c, { alternative: 'two-sided', confLevel }));
  note(ttest.note && `mean difference CI unavailable: ${ttest.note}`);
  const test = plan.test === 'wilcoxon-signed-rank'
    ? (() => { const w = wilcoxonSignedRank(t, c, sidedness); return { name: plan.test, sidedness, n: w.n, statistic: w.statistic, pValue: w.pValue, method: w.method }; })()
    : (() => { const s = signFlipTest(t, c, { alternative: sidedness, seed }); return { name: plan.test, sidedness, n: pairs.length, statistic: s.meanDifference, pValue: s.pValue, method: s.method }; })();
  const hl = attempt(() => hodgesLehmann(t, c).estimate);
  const clustered = attempt(() => clusteredMeanDifference(t.map((x, i) => x - c[i]!), pairs.map((p) => p.task), confLevel));
  note(clustered.note && `clustered SE unavailable: ${clustered.note}`);
  const lr = (plan.logRatio ?? []).includes(metric) ? attempt(() => logRatio(t, c, confLevel)) : { value: null, note: null };
  note(lr.note && `log ratio unavailable: ${lr.note}`);
  const meanOf = (xs: number[]) => (xs.length === 0 ? 0 : mean(xs));
  return {
    metric, n: pairs.length, meanTreatment: meanOf(t), meanControl: meanOf(c),
    meanDifference: pairs.length > 0 ? meanOf(t) - meanOf(c) : null,
    ci: ttest.value && { lower: ttest.value.lower, upper: ttest.value.upper },
    test, pHolm: test.pValue, confLevel, hodgesLehmann: hl.value,
    clustered: clustered.value && { se: clustered.value.se, naiveSe: clustered.value.naiveSe, lower: clustered.value.lower, upper: clustered.value.upper, clusters: clustered.value.clusters },
    logRatio: lr.value && { ratio: lr.value.ratio, lower: lr.value.ratioLower, upper: lr.value.ratioUpper, n: lr.value.n, skipped: lr.value.skipped },
    notes,
  };
}

function valueOf(m: Metrics, metric: MetricName): number {
  return m[metric];
}
