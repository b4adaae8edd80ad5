import { inputError } from '../core/errors.js';
import { mcnemarPower, mcnemarSampleSize, pairedTPower, pairedTSampleSize } from '../analysis/stats/index.js';

export interface PowerOptions {
  p10?: number;
  p01?: number;
  delta?: number;
  sd?: number;
  alpha: number;
  power?: number;
  n?: number;
}

export interface PowerResult {
  design: 'paired-binary (McNemar, Connor 1987)' | 'paired-continuous (paired t, as R power.t.test)';
  alpha: number;
  /** Pairs needed (rounded up) when solving for n. */
  pairs: number | null;
  /** Unrounded n, as R reports it. */
  n: number;
  power: number;
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
    const design = 'paired-binary (McNemar, Connor 1987)' as const;
    if (o.n !== undefined) return { design, alpha: o.alpha, pairs: null, n: o.n, power: mcnemarPower(rates, o.n, o.alpha) };
    const n = mcnemarSampleSize(rates, o.power ?? 0.8, o.alpha);
    return { design, alpha: o.alpha, pairs: Math.ceil(n), n, power: o.power ?? 0.8 };
  }
  if (o.delta === undefined || o.sd === undefined) throw inputError('the paired continuous design needs both --delta and --sd');
  const effect = { delta: o.delta, sd: o.sd };
  const design = 'paired-continuous (paired t, as R power.t.test)' as const;
  if (o.n !== undefined) return { design, alpha: o.alpha, pairs: null, n: o.n, power: pairedTPower(effect, o.n, o.alpha) };
  const n = pairedTSampleSize(effect, o.power ?? 0.8, o.alpha);
  return { design, alpha: o.alpha, pairs: Math.ceil(n), n, power: o.power ?? 0.8 };
}
