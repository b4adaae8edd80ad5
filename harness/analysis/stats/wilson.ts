import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { inputError } from '../../core/errors.js';
import type { Interval } from './alternative.js';
import { checkCount, checkProbability } from './validate.js';

// Wilson score interval for x successes in n trials, term for term as R's
// prop.test(x, n, correct = FALSE)$conf.int (two-sided), so the ends are exactly 0 and 1 when
// x = 0 and x = n. Preferred over the Wald interval, which collapses at 0 and n.
export function wilsonInterval(x: number, n: number, confLevel = 0.95): Interval {
  checkCount('x', x);
  checkCount('n', n);
  checkProbability('confLevel', confLevel);
  if (n === 0 || x > n) throw inputError(`a proportion needs 0 <= x <= n and n > 0, got x=${x}, n=${n}`);
  const z = normalQuantile((1 + confLevel) / 2, 0, 1);
  const z22n = (z * z) / (2 * n);
  const p = x / n;
  const spread = z * Math.sqrt((p * (1 - p)) / n + z22n / (2 * n));
  return {
    lower: p <= 0 ? 0 : (p + z22n - spread) / (1 + 2 * z22n),
    upper: p >= 1 ? 1 : (p + z22n + spread) / (1 + 2 * z22n),
  };
}
