import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { inputError } from '../../core/errors.js';
import type { Alternative, Interval } from './alternative.js';
import { mean } from './mean.js';
import { checkProbability, pairedDifferences } from './validate.js';

export interface TTestResult extends Interval {
  /** Mean of the differences (treatment − control). */
  mean: number;
  /** Standard error of the mean, sd/√n. */
  se: number;
  t: number;
  df: number;
  pValue: number;
  n: number;
}

export interface TTestOptions {
  alternative?: Alternative;
  confLevel?: number;
}

// Paired t-test of treatment − control with its confidence interval for the mean difference,
// as R's t.test(x, y, paired = TRUE, alternative, conf.level).
export function pairedT(treatment: readonly number[], control: readonly number[], options: TTestOptions = {}): TTestResult {
  return oneSampleT(pairedDifferences(treatment, control), options);
}

// One-sample t-test of mean(d) = 0, term for term as R's t.test(d): one-sided alternatives get
// one-sided intervals. Like R, refuses fewer than 2 values and (essentially) constant data.
export function oneSampleT(d: readonly number[], options: TTestOptions = {}): TTestResult {
  const { alternative = 'two-sided', confLevel = 0.95 } = options;
  checkProbability('confLevel', confLevel);
  const n = d.length;
  if (n < 2) throw inputError(`a t-test needs at least 2 pairs, got ${n}`);
  const m = mean(d);
  const variance = d.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1);
  const se = Math.sqrt(variance / n);
  if (se === 0 || se < 10 * Number.EPSILON * Math.abs(m)) {
    throw inputError(`a t-test is undefined here: all ${n} differences are (essentially) equal to ${m}`, {
      hint: 'report the mean difference without a t interval, or use the sign-flip permutation test',
    });
  }
  const t = m / se;
  const df = n - 1;
  let pValue: number;
  let ends: [number, number];
  if (alternative === 'less') {
    pValue = tCdf(t, df);
    ends = [Number.NEGATIVE_INFINITY, t + tQuantile(confLevel, df)];
  } else if (alternative === 'greater') {
    pValue = tCdf(-t, df);
    ends = [t - tQuantile(confLevel, df), Number.POSITIVE_INFINITY];
  } else {
    pValue = 2 * tCdf(-Math.abs(t), df);
    const q = tQuantile(1 - (1 - confLevel) / 2, df);
    ends = [t - q, t + q];
  }
  return { mean: m, se, t, df, pValue, n, lower: ends[0] * se, upper: ends[1] * se };
}
