import { inputError } from '../../core/errors.js';
import { oneSampleT, type TTestResult } from './paired-t.js';

export interface LogRatioResult {
  /** Paired t on log(treatment/control): mean log ratio, its interval (log scale), t, p. */
  log: TTestResult;
  /** Geometric mean of treatment/control, exp(mean log ratio), with the interval exponentiated. */
  ratio: number;
  ratioLower: number;
  ratioUpper: number;
  /** Pairs used. */
  n: number;
  /** Pairs skipped because one side was 0 (the log ratio is undefined). */
  skipped: number;
}

// Multiplicative comparison of a positive metric (cost, tokens, time): costs are skewed and
// compare by ratio, so the analysis is a paired t on log(treatment/control) and the reported effect
// the geometric mean ratio. Pairs with a zero are skipped and counted; negative or non-finite values
// are input errors.
export function logRatio(treatment: readonly number[], control: readonly number[], confLevel = 0.95): LogRatioResult {
  if (treatment.length !== control.length) {
    throw inputError(`paired samples differ in length: ${treatment.length} treatment vs ${control.length} control values`);
  }
  const logs: number[] = [];
  treatment.forEach((t, i) => {
    const c = control[i] as number;
    if (!(t >= 0 && c >= 0 && Number.isFinite(t) && Number.isFinite(c))) {
      throw inputError(`pair ${i}: a log ratio needs non-negative finite values, got treatment ${t}, control ${c}`);
    }
    if (t > 0 && c > 0) logs.push(Math.log(t / c));
  });
  const skipped = treatment.length - logs.length;
  if (logs.length < 2 && skipped > 0) {
    throw inputError(`it needs at least 2 pairs with both values above 0, and ${skipped} of the ${treatment.length} pairs have a 0 (a metric that is always 0, such as the tokens of a command agent, has no ratio)`);
  }
  const log = oneSampleT(logs, { confLevel });
  return {
    log,
    ratio: Math.exp(log.mean),
    ratioLower: Math.exp(log.lower),
    ratioUpper: Math.exp(log.upper),
    n: logs.length,
    skipped,
  };
}
