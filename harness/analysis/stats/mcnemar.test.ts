import { describe, expect, it } from 'vitest';
import { expectClose, reference, shared } from './fixtures/reference.js';
import { mcnemarExact } from './mcnemar.js';

describe('mcnemarExact', () => {
  it('matches binom.test(b, b + c) and the ch. 8 mid-p for every case and alternative', () => {
    for (const row of reference.mcnemar) {
      const result = mcnemarExact(row.b, row.c, row.alternative);
      expectClose(result.pValue, row.p);
      expectClose(result.midPValue, row.midp);
    }
  });

  it("matches the shared vectors: R's mcnemar.test help example and Fagerland et al.'s Cavo 2012 table", () => {
    expectClose(mcnemarExact(shared.mcnemar_r_help.b, shared.mcnemar_r_help.c).pValue, shared.mcnemar_r_help.p_exact);
    const [[, b], [c]] = shared.mcnemar_cavo2012.table as [[number, number], [number, number]];
    const cavo = mcnemarExact(b, c);
    expectClose(cavo.pValue, shared.mcnemar_cavo2012.p_exact);
    expectClose(cavo.midPValue, shared.mcnemar_cavo2012.p_midp);
  });

  it('gives p = 1 when there are no discordant pairs', () => {
    expect(mcnemarExact(0, 0, 'greater')).toEqual({ b: 0, c: 0, pValue: 1, midPValue: 1 });
  });

  it('rejects counts that are not non-negative integers', () => {
    expect(() => mcnemarExact(2.5, 1)).toThrow(/non-negative integer/);
    expect(() => mcnemarExact(1, -1)).toThrow(/non-negative integer/);
  });
});
