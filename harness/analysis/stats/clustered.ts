import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { inputError } from '../../core/errors.js';
import type { Interval } from './alternative.js';
import { mean } from './mean.js';
import { checkProbability } from './validate.js';

export interface ClusteredResult extends Interval {
  /** Mean paired difference. */
  mean: number;
  /** Cluster-robust standard error of the mean. */
  se: number;
  /** The usual sd/√n, which treats every pair as independent, for comparison. */
  naiveSe: number;
  n: number;
  clusters: number;
}

// Mean paired difference with a standard error clustered by task, because repeated runs (or
// several items) of one task are correlated and the naive SE understates the uncertainty.
// Miller (2024), "Adding error bars to evals", arXiv:2411.00640:
//   SE = sqrt( Σ_clusters (Σ_{i in cluster} (d_i − mean d))² ) / n,
// the CR0 sandwich estimator of an intercept-only model, with no small-sample factor; the interval
// is mean ± z_{1−α/2}·SE (normal, as in the paper). It is trustworthy only with many clusters.
export function clusteredMeanDifference(
  differences: readonly number[],
  clusters: readonly string[],
  confLevel = 0.95,
): ClusteredResult {
  checkProbability('confLevel', confLevel);
  const n = differences.length;
  if (clusters.length !== n) {
    throw inputError(`${n} differences but ${clusters.length} cluster labels`, { hint: 'give one cluster (task id) per difference' });
  }
  if (n < 2) throw inputError(`a standard error needs at least 2 differences, got ${n}`);
  differences.forEach((d, i) => {
    if (!Number.isFinite(d)) throw inputError(`difference ${i} is not finite: ${d}`);
  });
  const m = mean(differences);
  const sums = new Map<string, number>();
  differences.forEach((d, i) => {
    const key = clusters[i] as string;
    sums.set(key, (sums.get(key) ?? 0) + (d - m));
  });
  let meat = 0;
  for (const s of sums.values()) meat += s * s;
  const se = Math.sqrt(meat) / n;
  const naiveSe = Math.sqrt(differences.reduce((s, d) => s + (d - m) ** 2, 0) / (n - 1) / n);
  const z = normalQuantile(1 - (1 - confLevel) / 2, 0, 1);
  return { mean: m, se, naiveSe, lower: m - z * se, upper: m + z * se, n, clusters: sums.size };
}
