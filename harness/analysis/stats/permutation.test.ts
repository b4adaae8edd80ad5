import { describe, expect, it } from 'vitest';
import { expectClose, reference } from './fixtures/reference.js';
import { signFlipTest } from './permutation.js';

describe('signFlipTest', () => {
  it('matches brute-force enumeration over exact integer sums (ties decided exactly)', () => {
    for (const row of reference.permutation) {
      const r = signFlipTest(row.x, row.y, { alternative: row.alternative });
      expect(r.method).toBe('exact');
      expectClose(r.pValue, row.p);
    }
  });

  it('with more than 20 non-zero differences draws seeded patterns, close to the exact p', () => {
    const row = reference.permutation_monte_carlo;
    const draws = 200_000;
    const first = signFlipTest(row.x, row.y, { seed: 7, draws });
    expect(first).toMatchObject({ method: 'monte-carlo', patterns: draws, nonZero: 25 });
    expect(signFlipTest(row.x, row.y, { seed: 7, draws }).pValue).toBe(first.pValue);
    const standardError = Math.sqrt((row.exact_p * (1 - row.exact_p)) / draws);
    expect(Math.abs(first.pValue - row.exact_p)).toBeLessThan(4 * standardError);
    expect(signFlipTest(row.x, row.y, { seed: 8, draws }).pValue).not.toBe(first.pValue);
  });

  it('leaves zero differences out of the enumeration without changing p', () => {
    const withZeros = signFlipTest([1.3, 1, 1.2, 0.9, 1, 1.4], [1, 1, 1, 1, 1, 1]);
    const withoutZeros = signFlipTest([1.3, 1.2, 0.9, 1.4], [1, 1, 1, 1]);
    expect(withZeros.nonZero).toBe(4);
    expect(withZeros.pValue).toBe(withoutZeros.pValue);
    expect(signFlipTest([2, 2], [2, 2]).pValue).toBe(1);
  });
});
