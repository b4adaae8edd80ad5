import { describe, expect, it } from 'vitest';
import { expectClose, reference, shared } from './fixtures/reference.js';
import { logRatio } from './log-ratio.js';
import { pairedT } from './paired-t.js';

describe('pairedT', () => {
  it('matches t.test(x, y, paired = TRUE) for every alternative and confidence level', () => {
    for (const row of reference.paired_t) {
      const r = pairedT(row.x, row.y, { alternative: row.alternative, confLevel: row.confLevel });
      expectClose(r.mean, row.mean);
      expectClose(r.t, row.t);
      expect(r.df).toBe(row.df);
      expectClose(r.pValue, row.p);
      if (row.lower === undefined) expect(r.lower).toBe(Number.NEGATIVE_INFINITY);
      else expectClose(r.lower, row.lower);
      if (row.upper === undefined) expect(r.upper).toBe(Number.POSITIVE_INFINITY);
      else expectClose(r.upper, row.upper);
    }
  });

  it("matches the shared vectors of R's ?wilcox.test data", () => {
    const w = shared.wilcoxon_r_help;
    const r = pairedT(w.x, w.y);
    expectClose(r.t, w.paired_t);
    expectClose(r.pValue, w.paired_t_p);
    expectClose(r.lower, w.paired_t_ci[0] as number);
    expectClose(r.upper, w.paired_t_ci[1] as number);
  });

  it('refuses too few pairs and constant differences, as R does', () => {
    expect(() => pairedT([1], [0])).toThrow(/at least 2/);
    expect(() => pairedT([2, 3, 4], [1, 2, 3])).toThrow(/essentially\) equal/);
  });
});

describe('logRatio', () => {
  it('matches t.test(log(x/y)) over pairs without a zero, and counts the skipped pairs', () => {
    for (const row of reference.log_ratio) {
      const r = logRatio(row.x, row.y);
      expect(r.skipped).toBe(row.skipped);
      expect(r.n).toBe(row.x.length - row.skipped);
      expectClose(r.log.mean, row.mean);
      expectClose(r.log.lower, row.lower);
      expectClose(r.log.upper, row.upper);
      expectClose(r.log.pValue, row.p);
      expectClose(r.ratio, row.ratio);
      expectClose(r.ratioLower, row.ratio_lower);
      expectClose(r.ratioUpper, row.ratio_upper);
    }
  });

  it('rejects negative values', () => {
    expect(() => logRatio([1, -2, 3], [1, 1, 1])).toThrow(/pair 1/);
  });

  it('says that the pairs with a 0 left too few, not only that a t-test needs 2 pairs', () => {
    expect(() => logRatio([0, 0, 0], [0, 0, 0])).toThrow(/^it needs at least 2 pairs with both values above 0, and 3 of the 3 pairs have a 0 /);
    expect(() => logRatio([2, 0, 3], [1, 5, 0])).toThrow(/and 2 of the 3 pairs have a 0/);
    expect(() => logRatio([2], [1])).toThrow(/a t-test needs at least 2 pairs, got 1/);
  });
});
