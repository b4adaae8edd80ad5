import { inputError } from '../../core/errors.js';
import type { Interval } from './alternative.js';
import { clopperPearsonInterval } from './clopper-pearson.js';
import { checkCount, checkProbability } from './validate.js';
import { wilsonInterval } from './wilson.js';

/** A paired 2×2 table of binary outcomes: rows treatment, columns control. */
export interface PairedTable {
  /** Both succeed. */
  a: number;
  /** Treatment succeeds, control fails. */
  b: number;
  /** Control succeeds, treatment fails. */
  c: number;
  /** Both fail. */
  d: number;
}

export interface Estimate extends Interval {
  estimate: number;
}

// Difference of success rates, treatment − control = (b − c)/n, with Newcombe's (1998, method 10)
// square-and-add interval: the two Wilson intervals are combined with the correlation φ between the
// paired proportions, and φ is continuity-corrected as in Newcombe and in Fagerland, Lydersen &
// Laake (ch. 8): ad − bc is reduced by n/2 when it exceeds n/2, set to 0 in [0, n/2], and φ = 0
// when a margin is empty.
export function pairedRiskDifference(table: PairedTable, confLevel = 0.95): Estimate {
  const { a, b, c, d } = table;
  for (const [name, v] of [['a', a], ['b', b], ['c', c], ['d', d]] as const) checkCount(name, v);
  const n = a + b + c + d;
  if (n === 0) throw inputError('the paired table is empty: a risk difference needs at least one pair');
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const w1 = wilsonInterval(a + b, n, confLevel);
  const w2 = wilsonInterval(a + c, n, confLevel);
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  const cross = a * d - b * c;
  const corrected = cross > n / 2 ? cross - n / 2 : cross >= 0 ? 0 : cross;
  const phi = margins === 0 ? 0 : corrected / Math.sqrt(margins);
  const estimate = p1 - p2;
  const l1 = p1 - w1.lower;
  const u1 = w1.upper - p1;
  const l2 = p2 - w2.lower;
  const u2 = w2.upper - p2;
  return {
    estimate,
    lower: estimate - Math.sqrt(l1 * l1 + u2 * u2 - 2 * phi * l1 * u2),
    upper: estimate + Math.sqrt(l2 * l2 + u1 * u1 - 2 * phi * l2 * u1),
  };
}

// Conditional (McNemar) odds ratio b/c with the exact interval obtained by transforming the
// Clopper–Pearson interval for b/(b + c) through p ↦ p/(1 − p) (Fagerland et al., ch. 8).
// Edges: c = 0 < b gives Infinity, b = 0 < c gives 0, b = c = 0 gives NaN with the
// non-informative interval [0, Infinity]; an end of the interval is Infinity when c = 0.
export function pairedOddsRatio(b: number, c: number, confLevel = 0.95): Estimate {
  checkCount('b', b);
  checkCount('c', c);
  checkProbability('confLevel', confLevel);
  if (b + c === 0) return { estimate: Number.NaN, lower: 0, upper: Number.POSITIVE_INFINITY };
  const { lower, upper } = clopperPearsonInterval(b, b + c, confLevel);
  return {
    estimate: c === 0 ? Number.POSITIVE_INFINITY : b / c,
    lower: lower / (1 - lower),
    upper: upper === 1 ? Number.POSITIVE_INFINITY : upper / (1 - upper),
  };
}
