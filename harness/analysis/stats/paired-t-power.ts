import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { inputError } from '../../core/errors.js';
import { noncentralTCdf } from './noncentral-t.js';
import { unirootIncreasing } from './uniroot.js';
import { effectTowards, tailAlpha, type Alternative } from './alternative.js';
import { checkProbability } from './validate.js';

/** Paired continuous design: the mean difference to detect and the SD of the differences. */
export interface PairedEffect {
  delta: number;
  sd: number;
}

// Power of the paired t-test with n pairs, as R's power.t.test(n, delta, sd, sig.level,
// type = "paired", alternative, strict = FALSE): P(T' > t_{1−α/2, n−1}) two-sided with ncp √n·|δ|/sd,
// P(T' > t_{1−α, n−1}) one-sided with δ signed in the tested direction ('less': −δ), T' noncentral
// t; n may be fractional, df = max(1e-7, n − 1) as in R.
export function pairedTPower(effect: PairedEffect, n: number, alpha = 0.05, alternative: Alternative = 'two-sided'): number {
  checkEffect(effect);
  checkProbability('alpha', alpha);
  if (!(n > 0)) throw inputError(`n must be positive, got ${n}`);
  return powerAt(n, effect, alpha, alternative);
}

// Pairs needed for the paired t-test, as R's power.t.test(delta, sd, power, sig.level,
// type = "paired", alternative)$n: the same uniroot (Brent, tol ≈ 1.22e-4, interval [2, 1e7]
// widened upwards or downwards) so the fractional n agrees with R's; pairs needed = Math.ceil(n).
export function pairedTSampleSize(effect: PairedEffect, power = 0.8, alpha = 0.05, alternative: Alternative = 'two-sided'): number {
  checkEffect(effect);
  checkProbability('power', power);
  checkProbability('alpha', alpha);
  const level = tailAlpha(alpha, alternative);
  // Any n > 1 already has more power than this (T' is stochastically larger than T); R's uniroot
  // returns a meaningless n near 1 for such targets, so they are refused here.
  if (power <= level) throw inputError(`power ${power} is at most ${alternative === 'two-sided' ? 'alpha/2' : 'alpha'} = ${level}: every design has more`);
  if (effectTowards(effect.delta, alternative) < 0) {
    throw inputError(`delta ${effect.delta} expects the ${effect.delta > 0 ? 'treatment' : 'control'} to score higher, but a ${alternative} test looks for the other: it would never reach that power`, {
      hint: `give delta the other sign, or use --sidedness ${alternative === 'greater' ? 'less' : 'greater'} (as the pre-registration's sidedness says)`,
    });
  }
  return unirootIncreasing((n) => powerAt(n, effect, alpha, alternative) - power, 2, 1e7);
}

// R's p.body for type = "paired", strict = FALSE (two-sided: the critical value by symmetry).
function powerAt(n: number, { delta, sd }: PairedEffect, alpha: number, alternative: Alternative): number {
  const df = Math.max(1e-7, n - 1);
  return noncentralTCdf(-tQuantile(tailAlpha(alpha, alternative), df), df, (Math.sqrt(n) * effectTowards(delta, alternative)) / sd, false);
}

// δ = 0 has no finite sample size and sd must scale it; both are input mistakes.
function checkEffect({ delta, sd }: PairedEffect): void {
  if (!Number.isFinite(delta) || delta === 0) throw inputError(`delta must be a non-zero number, got ${delta}`);
  if (!(sd > 0) || !Number.isFinite(sd)) throw inputError(`sd must be positive, got ${sd}`);
}
