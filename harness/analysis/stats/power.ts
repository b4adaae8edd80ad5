import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { inputError } from '../../core/errors.js';
import { noncentralTCdf } from './noncentral-t.js';
import { unirootIncreasing } from './uniroot.js';
import { checkProbability } from './validate.js';

/** Paired binary design: probabilities of the two discordant outcomes. */
export interface DiscordantRates {
  /** P(treatment succeeds, control fails). */
  p10: number;
  /** P(control succeeds, treatment fails). */
  p01: number;
}

// Connor (1987), Biometrics 43:207–211, sample size for the two-sided McNemar test:
//   n = [z_{1−α/2}·√ψ + z_{power}·√(ψ − δ²)]² / δ²,  ψ = p10 + p01, δ = p10 − p01.
// Returned unrounded (pairs needed = Math.ceil(n)).
export function mcnemarSampleSize(rates: DiscordantRates, power = 0.8, alpha = 0.05): number {
  const { psi, delta } = discordance(rates);
  checkProbability('power', power);
  checkProbability('alpha', alpha);
  const za = normalQuantile(1 - alpha / 2, 0, 1);
  const zb = normalQuantile(power, 0, 1);
  return (za * Math.sqrt(psi) + zb * Math.sqrt(psi - delta * delta)) ** 2 / (delta * delta);
}

// The same relation solved for power at n pairs: Φ((|δ|·√n − z_{1−α/2}·√ψ) / √(ψ − δ²)).
export function mcnemarPower(rates: DiscordantRates, n: number, alpha = 0.05): number {
  const { psi, delta } = discordance(rates);
  checkProbability('alpha', alpha);
  if (!(n > 0)) throw inputError(`n must be positive, got ${n}`);
  const za = normalQuantile(1 - alpha / 2, 0, 1);
  return normalCdf((Math.abs(delta) * Math.sqrt(n) - za * Math.sqrt(psi)) / Math.sqrt(psi - delta * delta), 0, 1);
}

// ψ and δ of Connor's formula, refusing designs where it has no finite answer.
function discordance({ p10, p01 }: DiscordantRates): { psi: number; delta: number } {
  const psi = p10 + p01;
  const delta = p10 - p01;
  if (!(p10 >= 0 && p01 >= 0 && psi <= 1)) throw inputError(`need p10, p01 >= 0 with p10 + p01 <= 1, got ${p10}, ${p01}`);
  if (delta === 0) throw inputError('p10 = p01: no effect to detect, the sample size is infinite');
  if (!(psi - delta * delta > 0)) throw inputError('p10 = 1: every pair is discordant the same way; the formula does not apply');
  return { psi, delta };
}

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
