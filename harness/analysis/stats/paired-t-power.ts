import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { inputError } from '../../core/errors.js';
import { noncentralTCdf } from './noncentral-t.js';
import { unirootIncreasing } from './uniroot.js';
import { checkProbability } from './validate.js';

/** Paired continuous design: the mean difference to detect and the SD of the differences. */
export interface PairedEffect {
  delta: number;
  sd: number;
}

// Power of the two-sided paired t-test with n pairs, as R's power.t.test(n, delta, sd, sig.level,
// type = "paired", strict = FALSE): P(T' > t_{1−α/2, n−1}) with T' noncentral t, ncp √n·|δ|/sd;
// n may be fractional, df = max(1e-7, n − 1) as in R.
export function pairedTPower(effect: PairedEffect, n: number, alpha = 0.05): number {
  checkEffect(effect);
  checkProbability('alpha', alpha);
  if (!(n > 0)) throw inputError(`n must be positive, got ${n}`);
  return powerAt(n, effect, alpha);
}

// Pairs needed for the two-sided paired t-test, as R's power.t.test(delta, sd, power, sig.level,
// type = "paired")$n: the same uniroot (Brent, tol ≈ 1.22e-4, interval [2, 1e7] widened upwards
// or downwards) so the fractional n agrees with R's; pairs needed = Math.ceil(n).
export function pairedTSampleSize(effect: PairedEffect, power = 0.8, alpha = 0.05): number {
  checkEffect(effect);
  checkProbability('power', power);
  checkProbability('alpha', alpha);
  // Any n > 1 already has power above alpha/2 (T' is stochastically larger than T); R's uniroot
  // returns a meaningless n near 1 for such targets, so they are refused here.
  if (power <= alpha / 2) throw inputError(`power ${power} is at most alpha/2 = ${alpha / 2}: every design has more`);
  return unirootIncreasing((n) => powerAt(n, effect, alpha) - power, 2, 1e7);
}

// R's p.body for type = "paired", two-sided, strict = FALSE (the critical value by symmetry).
function powerAt(n: number, { delta, sd }: PairedEffect, alpha: number): number {
  const df = Math.max(1e-7, n - 1);
  return noncentralTCdf(-tQuantile(alpha / 2, df), df, (Math.sqrt(n) * Math.abs(delta)) / sd, false);
}

// δ = 0 has no finite sample size and sd must scale it; both are input mistakes.
function checkEffect({ delta, sd }: PairedEffect): void {
  if (!Number.isFinite(delta) || delta === 0) throw inputError(`delta must be a non-zero number, got ${delta}`);
  if (!(sd > 0) || !Number.isFinite(sd)) throw inputError(`sd must be positive, got ${sd}`);
}
