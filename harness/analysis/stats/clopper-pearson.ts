import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import { inputError } from '../../core/errors.js';
import type { Interval } from './alternative.js';
import { checkCount, checkProbability } from './validate.js';

// Clopper–Pearson exact interval for x successes in n trials, as R's binom.test(x, n)$conf.int.
// R inverts the beta distribution (qbeta); here each limit is the root of the binomial tail,
// which is monotone in p, found by bisection down to adjacent doubles.
export function clopperPearsonInterval(x: number, n: number, confLevel = 0.95): Interval {
  checkCount('x', x);
  checkCount('n', n);
  checkProbability('confLevel', confLevel);
  if (n === 0 || x > n) throw inputError(`a proportion needs 0 <= x <= n and n > 0, got x=${x}, n=${n}`);
  const alpha = (1 - confLevel) / 2;
  return {
    // Smallest p with P(X >= x; p) >= alpha: the tail grows with p.
    lower: x === 0 ? 0 : bisect((p) => 1 - binomialCdf(x - 1, n, p) >= alpha),
    // Largest p with P(X <= x; p) >= alpha: the tail shrinks as p grows.
    upper: x === n ? 1 : bisect((p) => binomialCdf(x, n, p) < alpha),
  };
}

// The boundary in (0, 1) where `past` switches from false to true (it must be monotone in p).
function bisect(past: (p: number) => boolean): number {
  let lo = 0;
  let hi = 1;
  for (;;) {
    const mid = lo + (hi - lo) / 2;
    if (mid === lo || mid === hi) return mid;
    if (past(mid)) hi = mid;
    else lo = mid;
  }
}
