import { describe, expect, it } from 'vitest';
import { expectClose, reference, shared } from './fixtures/reference.js';
import { hodgesLehmann } from './hodges-lehmann.js';
import { wilcoxonSignedRank } from './wilcoxon.js';

describe('wilcoxonSignedRank', () => {
  it('matches wilcox.test(x, y, paired = TRUE): exact, ties, zeros and n >= 50, all alternatives', () => {
    for (const row of reference.wilcoxon) {
      const result = wilcoxonSignedRank(row.x, row.y, row.alternative);
      expect(result.statistic, row.name).toBe(row.V);
      expect(result.method, row.name).toBe(row.exact ? 'exact' : 'normal');
      expectClose(result.pValue, row.p);
    }
  });

  it("matches the shared vectors of R's ?wilcox.test example", () => {
    const w = shared.wilcoxon_r_help;
    const twoSided = wilcoxonSignedRank(w.x, w.y);
    expect(twoSided.statistic).toBe(w.V);
    expectClose(twoSided.pValue, w.p_two_sided);
    expectClose(wilcoxonSignedRank(w.x, w.y, 'greater').pValue, w.p_greater);
  });

  it('reports dropped zeros and ties, and p = 1 when every difference is zero', () => {
    const row = reference.wilcoxon.find((r) => r.name === 'ties_zeros');
    const result = wilcoxonSignedRank(row?.x ?? [], row?.y ?? []);
    expect(result).toMatchObject({ n: 10, zeros: 2, ties: true, method: 'normal' });
    expect(wilcoxonSignedRank([1, 2], [1, 2])).toEqual({ statistic: 0, pValue: 1, method: 'exact', n: 0, zeros: 2, ties: false });
  });

  it('rejects unpaired input', () => {
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow(/differ in length/);
  });
});

describe('hodgesLehmann', () => {
  it('is the median of the Walsh averages, and equals wilcox.test(conf.int = TRUE) in the exact case', () => {
    for (const row of reference.hodges_lehmann) {
      const result = hodgesLehmann(row.x, row.y);
      expectClose(result.estimate, row.estimate);
      if (row.r_estimate === undefined) {
        expect(result.interval, row.name).toBeNull();
      } else {
        expectClose(result.estimate, row.r_estimate);
        expectClose(result.interval?.lower ?? Number.NaN, row.lower ?? Number.NaN);
        expectClose(result.interval?.upper ?? Number.NaN, row.upper ?? Number.NaN);
      }
    }
  });

  it('reports the confidence level actually achievable with few pairs', () => {
    // n = 5: the most extreme signed-rank tail is 2/32, so R widens to 93.75%.
    const row = reference.hodges_lehmann.find((r) => r.name === 'small_exact');
    expectClose(hodgesLehmann(row?.x ?? [], row?.y ?? []).interval?.achievedConfLevel ?? Number.NaN, 1 - 2 / 32);
  });
});
