// Shared vocabulary of the statistics library. Every paired function takes (treatment, control)
// in that order, so a positive difference means the treatment scored higher; 'greater' is the
// alternative "treatment better", as R's `alternative = "greater"` for wilcox.test(x, y, ...).

export type Alternative = 'two-sided' | 'greater' | 'less';

/** A confidence interval; one-sided intervals have an infinite end. */
export interface Interval {
  lower: number;
  upper: number;
}
