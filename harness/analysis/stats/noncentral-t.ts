import betainc from '@stdlib/math-base-special-betainc';
import betaln from '@stdlib/math-base-special-betaln';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';

const ITERATION_LIMIT = 1000;
const ERROR_BOUND = 1e-12;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** 2·ln 2·(−DBL_MIN_EXP): beyond this δ², exp(−δ²/2) would underflow, so R approximates. */
const MAX_DELTA_SQUARED = 2 * Math.LN2 * 1021;

// CDF of the noncentral t distribution (df may be fractional), needed by the power of the paired
// t-test; no installed package provides it. A port of R's pnt() (src/nmath/pnt.c, R 4.2):
// algorithm AS 243, Lenth (1989), Appl. Statist. 38:185–189, with Guenther's (1978) twin series,
// R's fixes (accurate 1 − x, expm1 for small s, |error bound|) and R's normal approximation
// (Abramowitz & Stegun 26.7.10) for df > 4e5 or huge |ncp|. R's pbeta and lgamma difference are
// stdlib's betainc and betaln. Deviations: plain doubles where R uses long double; R's warnings on
// non-convergence are dropped (the value is returned as R returns it).
export function noncentralTCdf(t: number, df: number, ncp: number, lowerTail = true): number {
  if (!(df > 0) || Number.isNaN(t) || Number.isNaN(ncp)) return Number.NaN;
  if (ncp === 0) return lowerTail ? tCdf(t, df) : tCdf(-t, df);
  if (!Number.isFinite(t)) return (t < 0) === lowerTail ? 0 : 1;
  const negdel = t < 0;
  if (negdel && ncp > 40 && !lowerTail) return 1;
  if (negdel && ncp > 40) return 0;
  const tt = negdel ? -t : t;
  const del = negdel ? -ncp : ncp;
  const lower = lowerTail !== negdel;

  if (df > 4e5 || del * del > MAX_DELTA_SQUARED) {
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - del) / Math.sqrt(1 + tt * tt * 2 * s);
    return normalCdf(lower ? z : -z, 0, 1);
  }

  const x0 = t * t;
  const x = x0 / (x0 + df);
  let tnc = 0;
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    let q = SQRT_2_OVER_PI * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(df / (x0 + df), b);
    let xodd = betainc(x, a, b, true, false);
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - betaln(0.5, b));
    let xeven = b * x < Number.EPSILON ? b * x : 1 - rxb;
    let geven = b * x * rxb;
    tnc = p * xodd + q * xeven;
    for (let it = 1; it <= ITERATION_LIMIT; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      if (s < -1e-10) break; // R: "full precision may not have been achieved"
      if (s <= 0 && it > 1) break;
      if (Math.abs(2 * s * (xodd - godd)) < ERROR_BOUND) break;
    }
  }
  tnc += normalCdf(-del, 0, 1);
  tnc = Math.min(tnc, 1);
  return lower ? tnc : 0.5 - tnc + 0.5;
}
