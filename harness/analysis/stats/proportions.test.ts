import { describe, expect, it } from 'vitest';
import { clopperPearsonInterval } from './clopper-pearson.js';
import { expectClose, reference, shared } from './fixtures/reference.js';
import { pairedOddsRatio, pairedRiskDifference } from './paired-binary.js';
import { wilsonInterval } from './wilson.js';

describe('wilsonInterval', () => {
  it('matches prop.test(x, n, correct = FALSE)$conf.int', () => {
    for (const row of reference.wilson) {
      const ci = wilsonInterval(row.x, row.n, row.confLevel);
      expectClose(ci.lower, row.lower);
      expectClose(ci.upper, row.upper);
    }
    const w = shared.wilson_3_of_15;
    const ci = wilsonInterval(w.x, w.n);
    expectClose(ci.lower, w.lo);
    expectClose(ci.upper, w.hi);
  });

  it('rejects x > n', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(/0 <= x <= n/);
  });
});

describe('clopperPearsonInterval', () => {
  it('matches binom.test(x, n)$conf.int', () => {
    for (const row of reference.clopper_pearson) {
      const ci = clopperPearsonInterval(row.x, row.n, row.confLevel);
      expectClose(ci.lower, row.lower);
      expectClose(ci.upper, row.upper);
    }
  });
});

describe('pairedRiskDifference', () => {
  it('matches Newcombe method 10 (square-and-add, corrected phi) as computed in R', () => {
    for (const row of reference.risk_difference) {
      const r = pairedRiskDifference(row, row.confLevel);
      expectClose(r.estimate, row.estimate);
      expectClose(r.lower, row.lower);
      expectClose(r.upper, row.upper);
    }
  });

  it("matches the Cavo 2012 example of Fagerland et al. to the book's 4 decimals", () => {
    const [[a, b], [c, d]] = shared.mcnemar_cavo2012.table as [[number, number], [number, number]];
    const r = pairedRiskDifference({ a, b, c, d });
    const [lower, upper] = shared.mcnemar_cavo2012.newcombe_ci as [number, number];
    expectClose(r.estimate, shared.mcnemar_cavo2012.newcombe_diff, 1e-4);
    expectClose(r.lower, lower, 1e-4);
    expectClose(r.upper, upper, 1e-4);
  });

  it('rejects an empty table', () => {
    expect(() => pairedRiskDifference({ a: 0, b: 0, c: 0, d: 0 })).toThrow(/empty/);
  });
});

describe('pairedOddsRatio', () => {
  it('is b/c with the Clopper–Pearson interval for b/(b+c) mapped through p/(1-p)', () => {
    for (const row of reference.clopper_pearson.filter((r) => r.x > 0 && r.x < r.n)) {
      const r = pairedOddsRatio(row.x, row.n - row.x, row.confLevel);
      expectClose(r.estimate, row.x / (row.n - row.x));
      expectClose(r.lower, row.lower / (1 - row.lower));
      expectClose(r.upper, row.upper / (1 - row.upper));
    }
  });

  it('documents the edges: c = 0 is Infinity, b = 0 is 0, no discordant pairs is NaN', () => {
    const noControlWins = pairedOddsRatio(1, 0);
    expect(noControlWins.estimate).toBe(Number.POSITIVE_INFINITY);
    expect(noControlWins.upper).toBe(Number.POSITIVE_INFINITY);
    expectClose(noControlWins.lower, 0.025 / 0.975); // binom.test(1, 1)$conf.int[1] = 0.025
    const noTreatmentWins = pairedOddsRatio(0, 7);
    expect(noTreatmentWins.estimate).toBe(0);
    expect(noTreatmentWins.lower).toBe(0);
    expect(pairedOddsRatio(0, 0)).toEqual({ estimate: Number.NaN, lower: 0, upper: Number.POSITIVE_INFINITY });
  });
});
