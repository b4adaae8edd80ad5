import { describe, expect, it } from 'vitest';
import type { Preregistration } from '../core/types/index.js';
import type { Metrics, PairedObservation } from './dataset.js';
import { secondaryAnalysis } from './secondary.js';
import { clusteredMeanDifference, hodgesLehmann, holm, logRatio, pairedT, signFlipTest, wilcoxonSignedRank } from './stats/index.js';

// secondaryAnalysis on hand-made pairs: the registered test per metric, Holm across the family,
// and degenerate data (constant differences, zeros) reported as notes, never thrown.

type Plan = Preregistration['secondaryOutcomes'];

const base: Metrics = {
  constraintAdherence: 100, clarifications: 0, turns: 3, toolCalls: 2, toolErrors: 0, inputTokens: 100, outputTokens: 50,
  cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 150, costUsd: 0.001, wallTimeSeconds: 1, retries: 0,
};

const TASKS = ['T1', 'T1', 'T1', 'T2', 'T2', 'T2', 'T3', 'T3'];
// Per pair: treatment and control values of each metric. turns differ by exactly 1 in every pair
// (constant differences), constraintAdherence is identical in every pair (all differences 0).
const T = {
  totalTokens: [1200, 900, 1500, 800, 1000, 1300, 700, 1100],
  costUsd: [0.012, 0.02, 0.009, 0.015, 0.011, 0.03, 0.007, 0.018],
  wallTimeSeconds: [2.5, 1.75, 3, 1.25, 2, 4.5, 1.5, 2.25],
  turns: [4, 5, 6, 4, 5, 7, 3, 6],
  constraintAdherence: [100, 80, 100, 90, 100, 100, 75, 100],
};
const C = {
  totalTokens: [1000, 1100, 1400, 600, 1050, 900, 720, 1000],
  costUsd: [0.01, 0.025, 0.008, 0.012, 0.016, 0.021, 0.009, 0.013],
  wallTimeSeconds: [2, 2.5, 2.75, 1, 3.25, 3.5, 1.75, 1.5],
  turns: [3, 4, 5, 3, 4, 6, 2, 5],
  constraintAdherence: [100, 80, 100, 90, 100, 100, 75, 100],
};

const PAIRS: PairedObservation[] = TASKS.map((task, i) => {
  const pick = (side: typeof T): Metrics => ({
    ...base, totalTokens: side.totalTokens[i]!, costUsd: side.costUsd[i]!, wallTimeSeconds: side.wallTimeSeconds[i]!, turns: side.turns[i]!, constraintAdherence: side.constraintAdherence[i]!,
  });
  const pairId = `pair-${String(i + 1).padStart(4, '0')}`;
  return { pairId, task, treatment: { runId: `${pairId}-t`, success: true, metrics: pick(T) }, control: { runId: `${pairId}-c`, success: false, metrics: pick(C) } };
});

const PLAN: Plan = {
  metrics: ['totalTokens', 'costUsd', 'wallTimeSeconds', 'turns', 'constraintAdherence'],
  test: 'wilcoxon-signed-rank',
  sidedness: 'two-sided',
  correction: 'holm',
  logRatio: ['totalTokens', 'costUsd', 'wallTimeSeconds'],
};

const of = (side: typeof T, m: keyof typeof T) => side[m];

describe('secondaryAnalysis', () => {
  it('runs the registered Wilcoxon test per metric and Holm-adjusts across the family', () => {
    const results = secondaryAnalysis(PAIRS, PLAN, 0.05, 1);
    expect(results.map((r) => r.metric)).toEqual(PLAN.metrics);
    const raw = PLAN.metrics.map((m) => wilcoxonSignedRank(of(T, m as keyof typeof T), of(C, m as keyof typeof T), 'two-sided'));
    results.forEach((r, i) => {
      expect(r.n).toBe(8);
      expect(r.test.name).toBe('wilcoxon-signed-rank');
      expect(r.test.pValue).toBe(raw[i]!.pValue);
      expect(r.test.statistic).toBe(raw[i]!.statistic);
      expect(r.test.method).toBe(raw[i]!.method);
      // The pairs the test used: Wilcoxon drops zero differences (every constraintAdherence one).
      expect(r.test.n).toBe(raw[i]!.n);
      expect(r.test.sidedness).toBe('two-sided');
      expect(r.confLevel).toBe(0.95);
    });
    expect(results.find((r) => r.metric === 'constraintAdherence')!.test.n).toBe(0);
    const adjusted = holm(raw.map((w) => w.pValue));
    expect(results.map((r) => r.pHolm)).toEqual(adjusted);
    // Holm never lowers a p-value, and the adjustment is not the identity here.
    results.forEach((r) => expect(r.pHolm).toBeGreaterThanOrEqual(r.test.pValue));
    expect(results.some((r) => r.pHolm > r.test.pValue)).toBe(true);
  });

  it('reports means, the paired-t CI, Hodges-Lehmann, clustered SE and log ratios where registered', () => {
    const tokens = secondaryAnalysis(PAIRS, PLAN, 0.05, 1).find((r) => r.metric === 'totalTokens')!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(tokens.meanTreatment).toBeCloseTo(mean(T.totalTokens), 9);
    expect(tokens.meanControl).toBeCloseTo(mean(C.totalTokens), 9);
    expect(tokens.meanDifference).toBeCloseTo(mean(T.totalTokens) - mean(C.totalTokens), 9);
    const t = pairedT(T.totalTokens, C.totalTokens, { alternative: 'two-sided' });
    expect(tokens.ci).toEqual({ lower: t.lower, upper: t.upper });
    expect(tokens.hodgesLehmann).toBe(hodgesLehmann(T.totalTokens, C.totalTokens).estimate);
    const cl = clusteredMeanDifference(T.totalTokens.map((x, i) => x - C.totalTokens[i]!), TASKS);
    expect(tokens.clustered).toEqual({ se: cl.se, naiveSe: cl.naiveSe, lower: cl.lower, upper: cl.upper, clusters: 3 });
    const lr = logRatio(T.totalTokens, C.totalTokens);
    expect(tokens.logRatio).toEqual({ ratio: lr.ratio, lower: lr.ratioLower, upper: lr.ratioUpper, n: 8, skipped: 0 });
    expect(tokens.notes).toEqual([]);
    // turns is not in logRatio: none reported.
    expect(secondaryAnalysis(PAIRS, PLAN, 0.05, 1).find((r) => r.metric === 'turns')!.logRatio).toBeNull();
  });

  it('handles constant differences with notes instead of throwing', () => {
    const results = secondaryAnalysis(PAIRS, PLAN, 0.05, 1);
    const turns = results.find((r) => r.metric === 'turns')!;
    // Every difference is +1: no t-test CI (zero variance), but the test, HL shift and mean stand.
    expect(turns.meanDifference).toBe(1);
    expect(turns.ci).toBeNull();
    expect(turns.notes.some((n) => /^mean difference CI unavailable: .*differences are \(essentially\) equal/.test(n))).toBe(true);
    expect(turns.hodgesLehmann).toBe(1);
    expect(turns.test.pValue).toBe(wilcoxonSignedRank(T.turns, C.turns).pValue);
    expect(turns.clustered).not.toBeNull();
    expect(turns.clustered!.se).toBe(0);

    const adherence = results.find((r) => r.metric === 'constraintAdherence')!;
    // Every difference is 0: the Wilcoxon p is 1 (R would give NaN), no CI, a note says why.
    expect(adherence.meanDifference).toBe(0);
    expect(adherence.test.pValue).toBe(1);
    expect(adherence.pHolm).toBe(1);
    expect(adherence.ci).toBeNull();
    expect(adherence.notes.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });

  it('notes a log ratio it cannot compute (every pair has a zero) and a clustered SE with one pair', () => {
    const zeroCost = PAIRS.map((p) => ({ ...p, control: { ...p.control, metrics: { ...p.control.metrics, costUsd: 0 } } }));
    const cost = secondaryAnalysis(zeroCost, PLAN, 0.05, 1).find((r) => r.metric === 'costUsd')!;
    expect(cost.logRatio).toBeNull();
    expect(cost.notes.some((n) => n.startsWith('log ratio unavailable: '))).toBe(true);

    const one = secondaryAnalysis(PAIRS.slice(0, 1), PLAN, 0.05, 1);
    for (const r of one) {
      expect(r.n).toBe(1);
      expect(r.ci).toBeNull();
      expect(r.clustered).toBeNull();
      expect(r.notes.some((n) => n.startsWith('clustered SE unavailable: '))).toBe(true);
    }
  });

  it('runs the sign-flip permutation test with the registered sidedness and seed, Holm across metrics', () => {
    const plan: Plan = { ...PLAN, test: 'sign-flip-permutation', sidedness: 'greater' };
    const results = secondaryAnalysis(PAIRS, plan, 0.05, 20261123);
    const raw = plan.metrics.map((m) => signFlipTest(of(T, m as keyof typeof T), of(C, m as keyof typeof T), { alternative: 'greater', seed: 20261123 }));
    results.forEach((r, i) => {
      expect(r.test.name).toBe('sign-flip-permutation');
      expect(r.test.pValue).toBe(raw[i]!.pValue);
      expect(r.test.statistic).toBe(raw[i]!.meanDifference);
    });
    expect(results.map((r) => r.pHolm)).toEqual(holm(raw.map((s) => s.pValue)));
    // The permutation test uses every pair; one-sided at alpha 0.05, the intervals are 90% two-sided.
    expect(results.map((r) => [r.test.n, r.test.sidedness, r.confLevel])).toEqual(plan.metrics.map(() => [8, 'greater', 0.9]));
    const tokens = results.find((r) => r.metric === 'totalTokens')!;
    const t = pairedT(T.totalTokens, C.totalTokens, { alternative: 'two-sided', confLevel: 0.9 });
    expect(tokens.ci).toEqual({ lower: t.lower, upper: t.upper });
    const cl = clusteredMeanDifference(T.totalTokens.map((x, i) => x - C.totalTokens[i]!), TASKS, 0.9);
    expect([tokens.clustered!.lower, tokens.clustered!.upper]).toEqual([cl.lower, cl.upper]);
    const lr = logRatio(T.totalTokens, C.totalTokens, 0.9);
    expect([tokens.logRatio!.lower, tokens.logRatio!.upper]).toEqual([lr.ratioLower, lr.ratioUpper]);
    // Same seed, same answer.
    expect(secondaryAnalysis(PAIRS, plan, 0.05, 20261123)).toEqual(results);
  });

  it('defaults to a two-sided test when the plan gives no sidedness', () => {
    const { sidedness: _omit, ...plan } = PLAN;
    const results = secondaryAnalysis(PAIRS, plan as Plan, 0.05, 1);
    expect(results[0]!.test.pValue).toBe(wilcoxonSignedRank(T.totalTokens, C.totalTokens, 'two-sided').pValue);
  });
});
