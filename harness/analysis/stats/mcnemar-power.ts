import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { inputError } from '../../core/errors.js';
import { effectTowards, tailAlpha, type Alternative } from './alternative.js';
import { checkProbability } from './validate.js';

/** Paired binary design: probabilities of the two discordant outcomes. */
export interface DiscordantRates {
  /** P(treatment succeeds, control fails). */
  p10: number;
  /** P(control succeeds, treatment fails). */
  p01: number;
}

/** The most pairs mcnemarExactSampleSize searches (the search is exact, so its cost grows with N). */
export const EXACT_SEARCH_LIMIT = 20_000;

// Exact power of the test `analyze` runs on the primary outcome (mcnemar.ts, significant when
// p < alpha). With n pairs the discordant count is D ~ Binomial(n, ψ), ψ = p10 + p01, and given D,
// b ~ Binomial(D, p10/ψ) (c = D − b). Two-sided, the test rejects when b ≤ k_D or b ≥ D − k_D, k_D
// the largest k with 2·P(X ≤ k) < α for X ~ Binomial(D, ½); 'greater' (treatment better) when
// c ≤ k_D, 'less' when b ≤ k_D, k_D the largest k with P(X ≤ k) < α (none when even k = 0 fails).
// Power = Σ_D P(D)·P(reject | D). Connor's approximation below can overstate it (by 0.04 at the
// example's design, 90 pairs with p10 0.25 and p01 0.08), which is why N is searched exactly.
export function mcnemarExactPower(rates: DiscordantRates, n: number, alpha = 0.05, alternative: Alternative = 'two-sided'): number {
  checkProbability('alpha', alpha);
  if (!Number.isInteger(n) || n < 1) throw inputError(`n must be a whole number of pairs, at least 1, got ${n}`);
  return new ExactMcNemarPower(rates, alpha, alternative).at(n);
}

// The smallest number of pairs whose exact power reaches `power`, as R's search over the same sum
// finds it (make-reference.R). Exact power is not always monotone in n: when most pairs are
// discordant and n is small, one pair more can lower it by a hundredth or so as k_D steps.
export function mcnemarExactSampleSize(rates: DiscordantRates, power = 0.8, alpha = 0.05, alternative: Alternative = 'two-sided'): number {
  checkProbability('power', power);
  checkProbability('alpha', alpha);
  testedEffect(rates, alternative);
  const exact = new ExactMcNemarPower(rates, alpha, alternative);
  if (exact.at(EXACT_SEARCH_LIMIT) < power) {
    throw inputError(`more than ${EXACT_SEARCH_LIMIT.toLocaleString('en-US')} pairs would be needed (Connor's approximation: about ${Math.ceil(mcnemarSampleSize(rates, power, alpha, alternative))})`, {
      hint: 'an effect this small is not worth an agent experiment; check p10 and p01',
    });
  }
  let n = 1;
  while (exact.at(n) < power) n++;
  return n;
}

class ExactMcNemarPower {
  private readonly psi: number;
  /** P(a discordant pair counts towards rejection): b's share two-sided and 'less', c's for 'greater'. */
  private readonly q: number;
  /** P(reject | D = d), filled as far as asked. */
  private readonly rejectGiven: number[] = [0];
  private k = -1;

  constructor(rates: DiscordantRates, private readonly alpha: number, private readonly alternative: Alternative) {
    this.psi = discordance(rates).psi;
    this.q = (alternative === 'greater' ? rates.p01 : rates.p10) / this.psi;
  }

  at(n: number): number {
    this.fillTo(n);
    if (this.psi === 1) return this.rejectGiven[n]!;
    // P(D = d) from its mode outwards by the ratio of neighbouring terms, until the terms no longer
    // count (below 1e-17 of the mode's, past which nothing can change the sum's double).
    const mode = Math.min(n, Math.floor((n + 1) * this.psi));
    const top = binomialPmf(mode, n, this.psi);
    const odds = this.psi / (1 - this.psi);
    let power = top * this.rejectGiven[mode]!;
    for (let d = mode, p = top; d < n && p > top * 1e-17; d++) {
      p *= ((n - d) / (d + 1)) * odds;
      power += p * this.rejectGiven[d + 1]!;
    }
    for (let d = mode, p = top; d > 0 && p > top * 1e-17; d--) {
      p *= (d / (n - d + 1)) / odds;
      power += p * this.rejectGiven[d - 1]!;
    }
    return Math.min(1, power);
  }

  // k_D never decreases with D: once P(X ≤ k) is small enough at D, it stays so for every larger D.
  private fillTo(n: number): void {
    const tails = this.alternative === 'two-sided' ? 2 : 1;
    for (let d = this.rejectGiven.length; d <= n; d++) {
      while (tails * binomialCdf(this.k + 1, d, 0.5) < this.alpha) this.k++;
      if (this.k < 0) this.rejectGiven.push(0);
      // Two-sided, the upper region b ≥ d − k too, by symmetry: D − b ~ Binomial(D, 1 − q).
      else this.rejectGiven.push(binomialCdf(this.k, d, this.q) + (tails === 2 ? binomialCdf(this.k, d, 1 - this.q) : 0));
    }
  }
}

// Connor (1987), Biometrics 43:207–211, sample size for McNemar's test by a normal approximation:
// n = [z·√ψ + z_{power}·√(ψ − δ²)]² / δ², ψ = p10 + p01, δ = p10 − p01 (its size two-sided, its
// sign in the tested direction one-sided), z = z_{1−α/2} two-sided, z_{1−α} one-sided. Returned
// unrounded (pairs needed = Math.ceil(n)). Shown beside the exact answer for comparison with other
// tools, which mostly use it.
export function mcnemarSampleSize(rates: DiscordantRates, power = 0.8, alpha = 0.05, alternative: Alternative = 'two-sided'): number {
  const { psi } = discordance(rates);
  const delta = testedEffect(rates, alternative);
  checkProbability('power', power);
  checkProbability('alpha', alpha);
  // Below α/2 (two-sided) or α (one-sided) the bracket of the formula turns negative and squaring
  // hides it: the n returned would not have that power.
  const level = tailAlpha(alpha, alternative);
  if (power <= level) throw inputError(`power ${power} is at most ${alternative === 'two-sided' ? 'alpha/2' : 'alpha'} = ${level}: a test with no effect to find rejects that often`);
  const za = criticalZ(alpha, alternative);
  const zb = normalQuantile(power, 0, 1);
  return (za * Math.sqrt(psi) + zb * Math.sqrt(psi - delta * delta)) ** 2 / (delta * delta);
}

// The same relation solved for power at n pairs: Φ((δ·√n − z·√ψ) / √(ψ − δ²)).
export function mcnemarPower(rates: DiscordantRates, n: number, alpha = 0.05, alternative: Alternative = 'two-sided'): number {
  const { psi, delta } = discordance(rates);
  checkProbability('alpha', alpha);
  if (!(n > 0)) throw inputError(`n must be positive, got ${n}`);
  return normalCdf((effectTowards(delta, alternative) * Math.sqrt(n) - criticalZ(alpha, alternative) * Math.sqrt(psi)) / Math.sqrt(psi - delta * delta), 0, 1);
}

const criticalZ = (alpha: number, alternative: Alternative): number => normalQuantile(1 - tailAlpha(alpha, alternative), 0, 1);

// δ in the direction the test looks: a one-sided test of an effect the other way never reaches any power.
function testedEffect(rates: DiscordantRates, alternative: Alternative): number {
  const { delta } = discordance(rates);
  const towards = effectTowards(delta, alternative);
  if (towards < 0) {
    throw inputError(`p10 ${rates.p10} and p01 ${rates.p01} expect the ${delta > 0 ? 'treatment' : 'control'} to do better, but a ${alternative} test looks for the ${alternative === 'greater' ? 'treatment' : 'control'} doing better: it would never reach that power`, {
      hint: `swap --p10 and --p01, or use --sidedness ${alternative === 'greater' ? 'less' : 'greater'} (as the pre-registration's sidedness says)`,
    });
  }
  return towards;
}

// ψ and δ, refusing designs with no finite answer.
function discordance({ p10, p01 }: DiscordantRates): { psi: number; delta: number } {
  const psi = p10 + p01;
  const delta = p10 - p01;
  if (!(p10 >= 0 && p01 >= 0 && psi <= 1)) throw inputError(`need p10, p01 >= 0 with p10 + p01 <= 1, got ${p10}, ${p01}`);
  if (delta === 0) throw inputError('p10 = p01: no effect to detect, the sample size is infinite');
  if (!(psi - delta * delta > 0)) throw inputError('p10 = 1: every pair is discordant the same way; the formula does not apply');
  return { psi, delta };
}
