// Shared vocabulary of the statistics library. Every paired function takes (treatment, control)
// in that order, so a positive difference means the treatment scored higher; 'greater' is the
// alternative "treatment better", as R's `alternative = "greater"` for wilcox.test(x, y, ...).

export type Alternative = 'two-sided' | 'greater' | 'less';

/** A confidence interval; one-sided intervals have an infinite end. */
export interface Interval {
  lower: number;
  upper: number;
}

/** The share of alpha in each tail the test rejects in: α/2 two-sided, α one-sided. */
export function tailAlpha(alpha: number, alternative: Alternative): number {
  return alternative === 'two-sided' ? alpha / 2 : alpha;
}

/**
 * An effect (treatment − control) as the test looks for it: its size two-sided, signed towards the
 * tested side one-sided ('less' looks for a negative one), so a one-sided test of an effect the
 * other way sees a negative one.
 */
export function effectTowards(effect: number, alternative: Alternative): number {
  return alternative === 'two-sided' ? Math.abs(effect) : alternative === 'greater' ? effect : -effect;
}

/**
 * The level of the two-sided intervals shown beside a test at `alpha`: 1 − α when the test is
 * two-sided, 1 − 2α when it is one-sided, so that the interval's bound on the tested side is the
 * one-sided 1 − α bound and excludes no effect exactly when a test of that form would reject.
 */
export function intervalLevel(alpha: number, alternative: Alternative): number {
  return alternative === 'two-sided' ? 1 - alpha : 1 - 2 * alpha;
}
