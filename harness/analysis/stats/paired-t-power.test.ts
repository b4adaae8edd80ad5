import { describe, expect, it } from 'vitest';
import { expectClose, reference, shared } from './fixtures/reference.js';
import { noncentralTCdf } from './noncentral-t.js';
import { pairedTPower, pairedTSampleSize } from './paired-t-power.js';

describe('noncentralTCdf', () => {
  it("matches R's pt(q, df, ncp) in both tails, including fractional df and the normal approximation", () => {
    for (const row of reference.noncentral_t) {
      expectClose(noncentralTCdf(row.q, row.df, row.ncp), row.lower);
      expectClose(noncentralTCdf(row.q, row.df, row.ncp, false), row.upper);
    }
  });
});

describe('pairedTSampleSize / pairedTPower', () => {
  it('match power.t.test(type = "paired") solving for n, including a bracket widened below n = 2', () => {
    for (const row of reference.power_t_n) {
      expectClose(pairedTSampleSize({ delta: row.delta, sd: row.sd }, row.power, row.sigLevel), row.n);
    }
    const s = shared.power_paired_t;
    expectClose(pairedTSampleSize({ delta: s.delta, sd: s.sd }, s.power, s.alpha), s.n);
  });

  it('match power.t.test(type = "paired") solving for power, with fractional n', () => {
    for (const row of reference.power_t_power) {
      expectClose(pairedTPower({ delta: row.delta, sd: row.sd }, row.n, row.sigLevel), row.power);
    }
  });

  it('refuse a target power that every design exceeds (R returns a meaningless n near 1)', () => {
    expect(() => pairedTSampleSize({ delta: 1, sd: 1 }, 0.01)).toThrow(/at most alpha\/2/);
  });

  it('treat a negative delta as its absolute value (two-sided)', () => {
    expect(pairedTPower({ delta: -1, sd: 2 }, 20)).toBe(pairedTPower({ delta: 1, sd: 2 }, 20));
  });
});

describe('pairedTSampleSize / pairedTPower, one-sided', () => {
  it('match power.t.test(type = "paired", alternative = "one.sided"), "less" with the sign of delta turned', () => {
    for (const row of reference.power_t_one_sided) {
      const effect = { delta: row.delta, sd: row.sd };
      expectClose(pairedTSampleSize(effect, row.power, row.sigLevel, row.alternative), row.n);
      expectClose(pairedTPower(effect, 20, row.sigLevel, row.alternative), row.power_at_20);
    }
  });

  it('refuse a one-sided test looking the other way than delta', () => {
    expect(() => pairedTSampleSize({ delta: -1, sd: 2 }, 0.8, 0.05, 'greater')).toThrow(/expects the control to score higher/);
  });
});
