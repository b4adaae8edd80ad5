import { inputError } from '../core/errors.js';
import { mcnemarExactPower, mcnemarExactSampleSize, mcnemarPower, mcnemarSampleSize, pairedTPower, pairedTSampleSize, type Alternative } from '../analysis/stats/index.js';

export interface PowerOptions {
  p10?: number;
  p01?: number;
  delta?: number;
  sd?: number;
  alpha: number;
  /** The test's sidedness, as the pre-registration gives it ('greater': the treatment better). */
  sidedness: Alternative;
  power?: number;
  n?: number;
}

export interface PowerResult {
  design: 'paired-binary (exact McNemar, the test analyze runs)' | 'paired-continuous (paired t, as R power.t.test)';
  alpha: number;
  sidedness: Alternative;
  /** Pairs needed (rounded up) when solving for n. */
  pairs: number | null;
  /** The n solved for (unrounded for the paired t, as R reports it), or the n given. */
  n: number;
  /** The target power when solving for n, or the power at the n given. */
  power: number;
  /** The power `pairs` pairs actually have (at least the target), or the power at the n given. */
  achievedPower: number;
  /** Paired binary: Connor's (1987) normal approximation of the same question, which most tools use (it can overstate the exact test's power, as at the example's design). */
  connor: { n: number; power: number } | null;
}

// power: pairs needed for a target power, or power at a given number of pairs, for the paired
// binary primary outcome (expected discordant proportions) or a paired continuous metric.
export function power(o: PowerOptions): PowerResult {
  const binary = o.p10 !== undefined || o.p01 !== undefined;
  const continuous = o.delta !== undefined || o.sd !== undefined;
  if (binary === continuous) {
    throw inputError('give either --p10 and --p01 (paired success/failure) or --delta and --sd (paired continuous metric)', { hint: 'harness power --help shows both with examples' });
  }
  if (o.n !== undefined && o.power !== undefined) throw inputError('give --n (to get power) or --power (to get n), not both');
  // R returns NaN here: a paired t-test has no variance estimate below two pairs.
  if (continuous && o.n !== undefined && o.n > 0 && o.n < 2) throw inputError(`--n ${o.n}: a paired t-test needs at least 2 pairs`);
  if (binary) {
    if (o.p10 === undefined || o.p01 === undefined) throw inputError('the paired binary design needs both --p10 and --p01');
    const rates = { p10: o.p10, p01: o.p01 };
    const design = 'paired-binary (exact McNemar, the test analyze runs)' as const;
    if (o.n !== undefined) {
      if (!Number.isInteger(o.n)) throw inputError(`--n ${o.n}: the exact test needs a whole number of pairs`);
      const achieved = mcnemarExactPower(rates, o.n, o.alpha, o.sidedness);
      return { design, alpha: o.alpha, sidedness: o.sidedness, pairs: null, n: o.n, power: achieved, achievedPower: achieved, connor: { n: o.n, power: mcnemarPower(rates, o.n, o.alpha, o.sidedness) } };
    }
    const target = o.power ?? 0.8;
    const connor = { n: mcnemarSampleSize(rates, target, o.alpha, o.sidedness), power: target };
    const pairs = mcnemarExactSampleSize(rates, target, o.alpha, o.sidedness);
    return { design, alpha: o.alpha, sidedness: o.sidedness, pairs, n: pairs, power: target, achievedPower: mcnemarExactPower(rates, pairs, o.alpha, o.sidedness), connor };
  }
  if (o.delta === undefined || o.sd === undefined) throw inputError('the paired continuous design needs both --delta and --sd');
  const effect = { delta: o.delta, sd: o.sd };
  const design = 'paired-continuous (paired t, as R power.t.test)' as const;
  if (o.n !== undefined) {
    const achieved = pairedTPower(effect, o.n, o.alpha, o.sidedness);
    return { design, alpha: o.alpha, sidedness: o.sidedness, pairs: null, n: o.n, power: achieved, achievedPower: achieved, connor: null };
  }
  const target = o.power ?? 0.8;
  const n = pairedTSampleSize(effect, target, o.alpha, o.sidedness);
  const pairs = Math.ceil(n);
  return { design, alpha: o.alpha, sidedness: o.sidedness, pairs, n, power: target, achievedPower: pairedTPower(effect, pairs, o.alpha, o.sidedness), connor: null };
}
