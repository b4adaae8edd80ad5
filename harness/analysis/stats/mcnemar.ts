import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import type { Alternative } from './alternative.js';
import { checkCount } from './validate.js';

export interface McNemarResult {
  /** Pairs where the treatment succeeded and the control failed. */
  b: number;
  /** Pairs where the control succeeded and the treatment failed. */
  c: number;
  /** R's `binom.test(b, b + c, 0.5, alternative)$p.value`. */
  pValue: number;
  /** P(more extreme) + ½·P(as extreme): less conservative, not a valid exact test. */
  midPValue: number;
}

// Exact conditional McNemar test: given b + c discordant pairs, b ~ Binomial(b + c, ½) under H0.
// Convention: b = treatment succeeds and control fails, c = the reverse; 'greater' means the
// treatment is better (b large). For p = ½ R's two-sided rule reduces to min(1, 2·P(X ≤ min(b, c)));
// upper tails are taken from the lower tail by symmetry (P(X ≥ b) = P(X ≤ c)) to keep precision.
// The mid-p follows Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables, ch. 8
// (two-sided, b = c: 1 − ½·P(X = b)). With no discordant pairs (b + c = 0) both are 1; R refuses n = 0.
export function mcnemarExact(b: number, c: number, alternative: Alternative = 'two-sided'): McNemarResult {
  checkCount('b', b);
  checkCount('c', c);
  const n = b + c;
  if (n === 0) return { b, c, pValue: 1, midPValue: 1 };
  const cdf = (k: number): number => binomialCdf(k, n, 0.5);
  const half = 0.5 * binomialPmf(b, n, 0.5);
  switch (alternative) {
    case 'greater':
      return { b, c, pValue: cdf(c), midPValue: cdf(c - 1) + half };
    case 'less':
      return { b, c, pValue: cdf(b), midPValue: cdf(b - 1) + half };
    case 'two-sided': {
      if (b === c) return { b, c, pValue: 1, midPValue: 1 - half };
      const tail = 2 * cdf(Math.min(b, c));
      return { b, c, pValue: Math.min(1, tail), midPValue: tail - 2 * half };
    }
  }
}
