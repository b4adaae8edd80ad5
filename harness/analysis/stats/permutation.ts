import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { inputError } from '../../core/errors.js';
import type { Alternative } from './alternative.js';
import { mean } from './mean.js';
import { pairedDifferences } from './validate.js';

/** Up to this many non-zero differences every sign pattern is enumerated (2^20 ≈ 10^6). */
const EXACT_LIMIT = 20;
/** Default number of random sign patterns beyond EXACT_LIMIT. */
const DEFAULT_DRAWS = 100_000;

export interface PermutationOptions {
  alternative?: Alternative;
  /** Seed of the Monte Carlo generator (xoroshiro128+); required for reproducible p-values. */
  seed?: number;
  draws?: number;
}

export interface PermutationResult {
  meanDifference: number;
  pValue: number;
  method: 'exact' | 'monte-carlo';
  /** Sign patterns evaluated: 2^m when exact, the number of random draws otherwise. */
  patterns: number;
  /** Non-zero differences (zeros do not change under a sign flip and are left out). */
  nonZero: number;
}

// Sign-flip (randomisation) test of the mean paired difference: under H0 each difference is as
// likely positive as negative, so the observed sum is compared with the sums under sign flips.
// Exact over all 2^m patterns when m <= EXACT_LIMIT non-zero differences (zeros only double every
// count, so dropping them leaves p unchanged). Beyond that, `draws` random patterns from a seeded
// xoroshiro128+ and p = (1 + hits)/(1 + draws) (Phipson & Smyth 2010: a valid p, never 0).
// Sums within 1e-10·Σ|d| of the observed one count as ties (as extreme), so the floating-point order
// of additions cannot decide the test. 'greater': treatment better.
export function signFlipTest(
  treatment: readonly number[],
  control: readonly number[],
  options: PermutationOptions = {},
): PermutationResult {
  const { alternative = 'two-sided', seed = 0, draws = DEFAULT_DRAWS } = options;
  if (!Number.isInteger(draws) || draws < 1) throw inputError(`draws must be a positive integer, got ${draws}`);
  if (!Number.isInteger(seed)) throw inputError(`seed must be an integer, got ${seed}`);
  const all = pairedDifferences(treatment, control);
  if (all.length === 0) throw inputError('a permutation test needs at least one pair');
  const d = all.filter((v) => v !== 0);
  const m = d.length;
  const tol = 1e-10 * d.reduce((s, v) => s + Math.abs(v), 0);
  const observed = d.reduce((s, v) => s + v, 0);
  const extreme = (s: number): boolean =>
    alternative === 'greater' ? s >= observed - tol : alternative === 'less' ? s <= observed + tol : Math.abs(s) >= Math.abs(observed) - tol;
  const base = { meanDifference: mean(all), nonZero: m };
  if (m <= EXACT_LIMIT) {
    const patterns = 2 ** m;
    let hits = 0;
    for (let mask = 0; mask < patterns; mask++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += (mask >>> i) & 1 ? -(d[i] as number) : (d[i] as number);
      if (extreme(s)) hits++;
    }
    return { ...base, pValue: hits / patterns, method: 'exact', patterns };
  }
  // Each 32-bit output supplies the signs of 32 consecutive differences.
  const rng = xoroshiro128plus(seed);
  let hits = 0;
  for (let k = 0; k < draws; k++) {
    let s = 0;
    let bits = 0;
    for (let i = 0; i < m; i++) {
      if (i % 32 === 0) bits = rng.next();
      s += (bits >>> i % 32) & 1 ? -(d[i] as number) : (d[i] as number);
    }
    if (extreme(s)) hits++;
  }
  return { ...base, pValue: (1 + hits) / (1 + draws), method: 'monte-carlo', patterns: draws };
}
