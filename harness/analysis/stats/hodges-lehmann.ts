import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf';
import { inputError } from '../../core/errors.js';
import type { Interval } from './alternative.js';
import { averageRanks } from './ranks.js';
import { checkProbability, pairedDifferences } from './validate.js';

export interface HodgesLehmannResult {
  /** Median of the Walsh averages (d_i + d_j)/2, i <= j, of the differences treatment − control. */
  estimate: number;
  /** Exact two-sided interval from the signed-rank distribution, or null where R would not use it. */
  interval: (Interval & { achievedConfLevel: number }) | null;
}

// Hodges–Lehmann location shift of paired differences (the pseudo-median). It equals R's
// wilcox.test(x, y, paired = TRUE, conf.int = TRUE)$estimate in R's exact case (fewer than 50
// pairs, no zero and no tied differences), and so does the interval: Walsh averages at the
// signed-rank quantiles, with the confidence level actually achieved (the distribution is discrete).
// Deviations: outside the exact case R finds its estimate and interval by root-finding on the normal
// approximation; this function still returns the Walsh median and gives no interval.
export function hodgesLehmann(treatment: readonly number[], control: readonly number[], confLevel = 0.95): HodgesLehmannResult {
  checkProbability('confLevel', confLevel);
  const d = pairedDifferences(treatment, control);
  const n = d.length;
  if (n === 0) throw inputError('a Hodges–Lehmann estimate needs at least one pair');
  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push(((d[i] as number) + (d[j] as number)) / 2);
  walsh.sort((x, y) => x - y);
  const mid = walsh.length >> 1;
  const estimate = walsh.length % 2 === 1 ? (walsh[mid] as number) : ((walsh[mid - 1] as number) + (walsh[mid] as number)) / 2;
  const exact = n < 50 && !d.includes(0) && averageRanks(d.map(Math.abs)).tieSizes.length === n;
  if (!exact) return { estimate, interval: null };
  const alpha = 1 - confLevel;
  const qu = Math.max(1, signrankQuantile(alpha / 2, n));
  const ql = (n * (n + 1)) / 2 - qu;
  return {
    estimate,
    interval: {
      lower: walsh[qu - 1] as number,
      upper: walsh[ql] as number,
      achievedConfLevel: 1 - 2 * signrankCdf(qu - 1, n),
    },
  };
}

// R's qsignrank(p, n) for p <= ½: the smallest q with P(V <= q) >= p, with R's 10·ε fuzz.
function signrankQuantile(p: number, n: number): number {
  let q = 0;
  while (signrankCdf(q, n) < p - 10 * Number.EPSILON) q++;
  return q;
}
