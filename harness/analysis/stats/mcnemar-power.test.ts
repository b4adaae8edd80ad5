import { describe, expect, it } from 'vitest';
import { expectClose, reference } from './fixtures/reference.js';
import { mcnemarExact } from './mcnemar.js';
import { EXACT_SEARCH_LIMIT, mcnemarExactPower, mcnemarExactSampleSize, mcnemarPower, mcnemarSampleSize } from './mcnemar-power.js';

describe('mcnemarExactPower / mcnemarExactSampleSize', () => {
  it("match R's sum over binom.test's rejection region, two- and one-sided, at small and large n and with no possible rejection", () => {
    for (const row of reference.mcnemar_exact_power) {
      expectClose(mcnemarExactPower({ p10: row.p10, p01: row.p01 }, row.n, row.alpha, row.alternative), row.power);
    }
  });

  it("find R's smallest n that reaches the target, where one pair fewer does not", () => {
    for (const row of reference.mcnemar_exact_n) {
      const rates = { p10: row.p10, p01: row.p01 };
      expect(mcnemarExactSampleSize(rates, row.power, row.alpha, row.alternative)).toBe(row.n);
      expectClose(mcnemarExactPower(rates, row.n, row.alpha, row.alternative), row.power_at_n);
      expectClose(mcnemarExactPower(rates, row.n - 1, row.alpha, row.alternative), row.power_at_n_minus_1);
    }
  });

  it('rejects exactly where mcnemarExact gives p < alpha: a Monte Carlo estimate through the test itself agrees', () => {
    const rates = { p10: 0.25, p01: 0.08 };
    // mulberry32: a small seeded generator, so the estimate is the same on every run.
    let state = 12345;
    const uniform = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    let rejections = 0;
    let greater = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) {
      let b = 0;
      let c = 0;
      for (let pair = 0; pair < 40; pair++) {
        const u = uniform();
        if (u < rates.p10) b++;
        else if (u < rates.p10 + rates.p01) c++;
      }
      if (mcnemarExact(b, c).pValue < 0.05) rejections++;
      if (mcnemarExact(b, c, 'greater').pValue < 0.05) greater++;
    }
    for (const [count, alternative] of [[rejections, 'two-sided'], [greater, 'greater']] as const) {
      const exact = mcnemarExactPower(rates, 40, 0.05, alternative);
      expect(Math.abs(count / draws - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / draws));
    }
  });

  it('is below Connor\'s approximation at the example\'s design, which is why N is searched exactly', () => {
    const rates = { p10: 0.25, p01: 0.08 };
    expect(mcnemarExactPower(rates, 90)).toBeLessThan(mcnemarPower(rates, 90) - 0.02);
    expect(mcnemarExactSampleSize(rates)).toBeGreaterThan(Math.ceil(mcnemarSampleSize(rates)));
  });

  it('refuses a fractional n, and an effect too small to search for', () => {
    expect(() => mcnemarExactPower({ p10: 0.25, p01: 0.08 }, 90.5)).toThrow(/whole number of pairs/);
    expect(() => mcnemarExactSampleSize({ p10: 0.101, p01: 0.1 })).toThrow(new RegExp(`more than ${EXACT_SEARCH_LIMIT.toLocaleString('en-US')} pairs`));
  });
});

describe('mcnemarSampleSize / mcnemarPower (Connor 1987)', () => {
  it('match the formula evaluated in R, and invert each other', () => {
    for (const row of reference.connor) {
      const rates = { p10: row.p10, p01: row.p01 };
      const n = mcnemarSampleSize(rates, row.power, row.alpha);
      expectClose(n, row.n);
      expectClose(mcnemarPower(rates, row.n_given, row.alpha), row.power_at_n_given);
      expectClose(mcnemarPower(rates, n, row.alpha), row.power);
    }
  });

  it('match the one-sided formula evaluated in R (z_{1-alpha}, the effect signed in the tested direction)', () => {
    for (const row of reference.connor_one_sided) {
      const rates = { p10: row.p10, p01: row.p01 };
      expectClose(mcnemarSampleSize(rates, row.power, row.alpha, row.alternative), row.n);
      expectClose(mcnemarPower(rates, row.n_given, row.alpha, row.alternative), row.power_at_n_given);
    }
  });

  it('refuse a one-sided test looking the other way than the effect', () => {
    expect(() => mcnemarSampleSize({ p10: 0.25, p01: 0.08 }, 0.8, 0.05, 'less')).toThrow(/expect the treatment to do better, but a less test looks for the control doing better/);
    expect(() => mcnemarExactSampleSize({ p10: 0.08, p01: 0.25 }, 0.8, 0.05, 'greater')).toThrow(/expect the control to do better/);
  });

  it('reject a design with no effect', () => {
    expect(() => mcnemarSampleSize({ p10: 0.1, p01: 0.1 })).toThrow(/no effect/);
  });

  it('refuse a target power at or below alpha/2 (one-sided: alpha), where the formula has no answer', () => {
    expect(() => mcnemarSampleSize({ p10: 0.3, p01: 0.29 }, 0.01)).toThrow(/at most alpha\/2/);
    expect(() => mcnemarSampleSize({ p10: 0.25, p01: 0.08 }, 0.04, 0.05, 'greater')).toThrow(/power 0\.04 is at most alpha = 0\.05/);
  });
});
