import { describe, expect, it } from 'vitest';
import type { Metrics, PairedObservation } from './dataset.js';
import { primaryAnalysis } from './primary.js';
import { clusteredMeanDifference, mcnemarExact, pairedOddsRatio, pairedRiskDifference, wilsonInterval } from './stats/index.js';

// primaryAnalysis on hand-made paired observations: every number is recomputed here from the raw
// outcomes, either by hand or with the (separately R-checked) statistics library.

const metrics = (): Metrics => ({
  constraintAdherence: 100, clarifications: 0, turns: 3, toolCalls: 2, toolErrors: 0, inputTokens: 100, outputTokens: 50,
  cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 150, costUsd: 0.001, wallTimeSeconds: 1, retries: 0,
});

let serial = 0;
function pair(task: string, treatment: boolean, control: boolean): PairedObservation {
  const pairId = `pair-${String(++serial).padStart(4, '0')}`;
  return {
    pairId, task,
    treatment: { runId: `${pairId}-${task}-goal-a1`, success: treatment, metrics: metrics() },
    control: { runId: `${pairId}-${task}-role-a1`, success: control, metrics: metrics() },
  };
}

/** `n` pairs with the same outcomes. */
const many = (n: number, task: string, t: boolean, c: boolean) => Array.from({ length: n }, () => pair(task, t, c));

const H1 = { id: 'H1', statement: 'goal beats role', treatment: 'goal', control: 'role', direction: 'greater' } as const;
const TASKS = ['T1', 'T2', 'T3'];

// T1: a=2 b=3 c=0 d=1; T2: a=1 b=2 c=1 d=2; T3: a=4 b=2 c=0 d=0. Pooled: a=7 b=7 c=1 d=3, n=18.
const PAIRS = [
  ...many(2, 'T1', true, true), ...many(3, 'T1', true, false), ...many(1, 'T1', false, false),
  ...many(1, 'T2', true, true), ...many(2, 'T2', true, false), ...many(1, 'T2', false, true), ...many(2, 'T2', false, false),
  ...many(4, 'T3', true, true), ...many(2, 'T3', true, false),
];

describe('primaryAnalysis', () => {
  const r = primaryAnalysis(PAIRS, TASKS, H1, 'two-sided', 0.05);

  it('counts discordant pairs: b = only the treatment succeeded, c = only the control', () => {
    expect(r.test).toBe('mcnemar-exact');
    expect(r.n).toBe(18);
    expect([r.b, r.c]).toEqual([7, 1]);
  });

  it('gives the exact McNemar p-value and mid-p (by hand and as mcnemarExact)', () => {
    // Two-sided: 2·P(X ≤ 1), X ~ Bin(8, ½) = 2·(1 + 8)/256.
    expect(r.pValue).toBeCloseTo(18 / 256, 15);
    // Mid-p: the tail minus half the probability of the observed value on both sides: (18 − 8)/256.
    expect(r.midPValue).toBeCloseTo(10 / 256, 15);
    const ref = mcnemarExact(7, 1, 'two-sided');
    expect(r.pValue).toBe(ref.pValue);
    expect(r.midPValue).toBe(ref.midPValue);
    expect(r.significant).toBe(false);
    expect(r.alpha).toBe(0.05);
    expect(r.sidedness).toBe('two-sided');
  });

  it('uses the registered sidedness and alpha', () => {
    const greater = primaryAnalysis(PAIRS, TASKS, H1, 'greater', 0.05);
    expect(greater.pValue).toBe(mcnemarExact(7, 1, 'greater').pValue);
    expect(greater.pValue).toBeCloseTo(9 / 256, 15);
    expect(greater.significant).toBe(true);
    expect(greater.sidedness).toBe('greater');
    const lenient = primaryAnalysis(PAIRS, TASKS, H1, 'two-sided', 0.1);
    expect(lenient.significant).toBe(true);
  });

  it('gives the paired risk difference with Newcombe\'s CI (as pairedRiskDifference)', () => {
    expect(r.riskDifference.estimate).toBeCloseTo((7 - 1) / 18, 15);
    expect(r.riskDifference).toEqual(pairedRiskDifference({ a: 7, b: 7, c: 1, d: 3 }));
    expect(r.riskDifference.lower).toBeLessThan(r.riskDifference.estimate);
    expect(r.riskDifference.upper).toBeGreaterThan(r.riskDifference.estimate);
  });

  it('gives the conditional odds ratio b/c', () => {
    expect(r.oddsRatio.estimate).toBe(7);
    expect(r.oddsRatio.lower).toBeGreaterThan(0);
    expect(r.oddsRatio.upper).toBeGreaterThan(7);
  });

  it('gives per-task n, b, c and risk differences', () => {
    expect(r.perTask.map((t) => [t.task, t.n, t.b, t.c])).toEqual([['T1', 6, 3, 0], ['T2', 6, 2, 1], ['T3', 6, 2, 0]]);
    expect(r.perTask[0]!.riskDifference).toEqual(pairedRiskDifference({ a: 2, b: 3, c: 0, d: 1 }));
    expect(r.perTask[1]!.riskDifference).toEqual(pairedRiskDifference({ a: 1, b: 2, c: 1, d: 2 }));
    expect(r.perTask[2]!.riskDifference).toEqual(pairedRiskDifference({ a: 4, b: 2, c: 0, d: 0 }));
  });

  it('gives success rates per variant per task and overall with Wilson CIs', () => {
    const expected: [string, string, number, number][] = [
      ['goal', 'T1', 5, 6], ['role', 'T1', 2, 6], ['goal', 'T2', 3, 6], ['role', 'T2', 2, 6],
      ['goal', 'T3', 6, 6], ['role', 'T3', 4, 6], ['goal', 'all', 14, 18], ['role', 'all', 8, 18],
    ];
    expect(r.successRates.map((s) => [s.variant, s.task, s.successes, s.n])).toEqual(expected);
    for (const s of r.successRates) {
      const w = wilsonInterval(s.successes, s.n);
      expect(s.rate).toBeCloseTo(s.successes / s.n, 15);
      expect([s.lower, s.upper]).toEqual([w.lower, w.upper]);
    }
    // Wilson ends at exactly 1 when every run succeeded.
    expect(r.successRates.find((s) => s.variant === 'goal' && s.task === 'T3')!.upper).toBe(1);
  });

  it('gives the task-clustered SE of the mean paired difference beside the naive one', () => {
    const ref = clusteredMeanDifference(PAIRS.map((p) => Number(p.treatment.success) - Number(p.control.success)), PAIRS.map((p) => p.task));
    expect(r.clustered).toEqual({ mean: ref.mean, se: ref.se, naiveSe: ref.naiveSe, lower: ref.lower, upper: ref.upper, clusters: 3 });
    expect(r.clustered!.mean).toBeCloseTo(6 / 18, 15);
  });

  it('handles edge cases: no discordant pairs, c = 0, one task, a task without pairs', () => {
    const none = primaryAnalysis([...many(3, 'T1', true, true), ...many(2, 'T2', false, false)], ['T1', 'T2'], H1, 'two-sided', 0.05);
    expect([none.b, none.c, none.pValue, none.midPValue]).toEqual([0, 0, 1, 1]);
    expect(none.oddsRatio.estimate).toBeNull();
    expect(none.riskDifference.estimate).toBe(0);

    const allTreatment = primaryAnalysis(many(5, 'T1', true, false), ['T1', 'T2'], H1, 'two-sided', 0.05);
    expect([allTreatment.b, allTreatment.c]).toEqual([5, 0]);
    expect(allTreatment.pValue).toBeCloseTo(2 / 32, 15);
    expect(allTreatment.oddsRatio.estimate).toBeNull(); // b/c = Infinity: JSON has no Infinity
    expect(allTreatment.oddsRatio.upper).toBeNull();
    // One task only: no clustered SE (it needs at least two clusters).
    expect(allTreatment.clustered).toBeNull();
    // T2 has no pairs: reported with n = 0 and no estimate (0/0 is no rate), not dropped, not NaN.
    expect(allTreatment.perTask[1]).toEqual({ task: 'T2', n: 0, b: 0, c: 0, riskDifference: null });
    expect(allTreatment.successRates.filter((s) => s.task === 'T2').map((s) => [s.successes, s.n, s.rate, s.lower, s.upper])).toEqual([[0, 0, null, null, null], [0, 0, null, null, null]]);
    expect(JSON.parse(JSON.stringify(allTreatment))).toEqual(allTreatment);
  });

  it('computes every interval at the level matching the test: 1 - alpha two-sided, 1 - 2 alpha one-sided', () => {
    expect(r.confLevel).toBe(0.95);
    const table = { a: 7, b: 7, c: 1, d: 3 };
    for (const [sidedness, alpha, level] of [['greater', 0.05, 0.9], ['less', 0.01, 0.98], ['two-sided', 0.1, 0.9]] as const) {
      const x = primaryAnalysis(PAIRS, TASKS, H1, sidedness, alpha);
      expect(x.confLevel).toBeCloseTo(level, 15);
      expect(x.riskDifference).toEqual(pairedRiskDifference(table, x.confLevel));
      const or = pairedOddsRatio(7, 1, x.confLevel);
      expect([x.oddsRatio.lower, x.oddsRatio.upper]).toEqual([or.lower, or.upper]);
      expect(x.perTask[0]!.riskDifference).toEqual(pairedRiskDifference({ a: 2, b: 3, c: 0, d: 1 }, x.confLevel));
      const goalAll = x.successRates.find((s) => s.variant === 'goal' && s.task === 'all')!;
      const w = wilsonInterval(14, 18, x.confLevel);
      expect([goalAll.lower, goalAll.upper]).toEqual([w.lower, w.upper]);
      const ref = clusteredMeanDifference(PAIRS.map((p) => Number(p.treatment.success) - Number(p.control.success)), PAIRS.map((p) => p.task), x.confLevel);
      expect([x.clustered!.lower, x.clustered!.upper]).toEqual([ref.lower, ref.upper]);
    }
    // A narrower level gives a narrower interval.
    const greater = primaryAnalysis(PAIRS, TASKS, H1, 'greater', 0.05);
    expect(greater.riskDifference.lower).toBeGreaterThan(r.riskDifference.lower);
  });

  it('says which variant the discordant pairs favour, and whether that is the hypothesised direction', () => {
    expect([r.favours, r.asHypothesised]).toEqual(['goal', true]);
    expect(primaryAnalysis(PAIRS, TASKS, { ...H1, direction: 'less' }, 'two-sided', 0.05).asHypothesised).toBe(false);
    expect(primaryAnalysis(PAIRS, TASKS, { ...H1, direction: 'different' }, 'two-sided', 0.05).asHypothesised).toBe(true);
    // The control ahead, significantly, against an expected 'greater': significant but not as hypothesised.
    const reversed = primaryAnalysis(many(9, 'T1', false, true), ['T1'], H1, 'two-sided', 0.05);
    expect([reversed.significant, reversed.favours, reversed.asHypothesised]).toEqual([true, 'role', false]);
    const even = primaryAnalysis([...many(2, 'T1', true, false), ...many(2, 'T1', false, true)], ['T1'], { ...H1, direction: 'different' }, 'two-sided', 0.05);
    expect([even.favours, even.asHypothesised]).toEqual([null, false]);
  });

  it('is significant only when p is below alpha, not equal to it', () => {
    // Two-sided, b = 5, c = 0: p = 2 / 32 exactly.
    const five = many(5, 'T1', true, false);
    expect(primaryAnalysis(five, ['T1'], H1, 'two-sided', 0.0625).significant).toBe(false);
    expect(primaryAnalysis(five, ['T1'], H1, 'two-sided', 0.0626).significant).toBe(true);
  });
});
