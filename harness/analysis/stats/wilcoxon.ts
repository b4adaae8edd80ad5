import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf';
import type { Alternative } from './alternative.js';
import { averageRanks } from './ranks.js';
import { pairedDifferences } from './validate.js';

export interface WilcoxonResult {
  /** R's V: the sum of the ranks of |d| over the positive differences d = treatment − control. */
  statistic: number;
  pValue: number;
  /** 'exact' uses the signed-rank distribution; 'normal' the tie- and continuity-corrected approximation. */
  method: 'exact' | 'normal';
  /** Pairs with a non-zero difference (the test's n). */
  n: number;
  /** Pairs dropped because their difference is exactly zero. */
  zeros: number;
  /** Whether some |d| are tied. */
  ties: boolean;
}

// Wilcoxon signed-rank test of treatment − control, as R's wilcox.test(x, y, paired = TRUE) with its
// defaults: zero differences are dropped; the exact signed-rank distribution is used when n < 50 and
// there were neither zeros nor ties, otherwise the normal approximation with tie correction and
// continuity correction (correct = TRUE). Deviation: when every difference is zero R returns NaN;
// here V = 0 and p = 1, the exact (degenerate) conditional p-value.
export function wilcoxonSignedRank(
  treatment: readonly number[],
  control: readonly number[],
  alternative: Alternative = 'two-sided',
): WilcoxonResult {
  const all = pairedDifferences(treatment, control);
  const d = all.filter((v) => v !== 0);
  const n = d.length;
  const zeros = all.length - n;
  const { ranks, tieSizes } = averageRanks(d.map(Math.abs));
  const statistic = ranks.reduce((sum, r, i) => ((d[i] as number) > 0 ? sum + r : sum), 0);
  const ties = tieSizes.length !== n;
  if (n === 0) return { statistic: 0, pValue: 1, method: 'exact', n, zeros, ties };
  if (n < 50 && !ties && zeros === 0) {
    return { statistic, pValue: exactP(statistic, n, alternative), method: 'exact', n, zeros, ties };
  }
  const tieTerm = tieSizes.reduce((s, t) => s + (t * t * t - t), 0);
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const centred = statistic - (n * (n + 1)) / 4;
  const correction = alternative === 'two-sided' ? Math.sign(centred) * 0.5 : alternative === 'greater' ? 0.5 : -0.5;
  const z = (centred - correction) / sigma;
  const lowerTail = normalCdf(z, 0, 1);
  const upperTail = normalCdf(-z, 0, 1);
  const pValue =
    alternative === 'less' ? lowerTail : alternative === 'greater' ? upperTail : 2 * Math.min(lowerTail, upperTail);
  return { statistic, pValue, method: 'normal', n, zeros, ties };
}

// Exact p from the signed-rank distribution of V on n ranks; upper tails use the symmetry
// P(V >= v) = P(V <= n(n+1)/2 − v) rather than 1 − CDF, to keep small p-values precise.
function exactP(v: number, n: number, alternative: Alternative): number {
  const total = (n * (n + 1)) / 2;
  const upper = signrankCdf(total - v, n);
  const lower = signrankCdf(v, n);
  if (alternative === 'greater') return upper;
  if (alternative === 'less') return lower;
  return Math.min(1, 2 * (v > total / 2 ? upper : lower));
}
