import { inputError } from '../../core/errors.js';

/** R's default uniroot tolerance, .Machine$double.eps^0.25. */
const R_UNIROOT_TOL = Number.EPSILON ** 0.25;
const MAX_ITERATIONS = 1000;

// R's uniroot(f, c(lower, upper), extendInt = "upX") for an increasing f, with R's default tol: the
// bracket is widened as R widens it, then Brent's zeroin runs as R's R_zeroin2
// (src/library/stats/src/zeroin.c). Ported step for step because R stops at a loose tolerance
// (~1.2e-4), so matching R's answer to 1e-9 needs the same iterates, not merely the same root.
export function unirootIncreasing(f: (x: number) => number, lower: number, upper: number): number {
  let fLower = f(lower);
  let fUpper = f(upper);
  let steps = 0;
  for (let delta = 0.01 * Math.max(1e-4, Math.abs(lower)); fLower > 0; delta *= 2) {
    if (++steps > MAX_ITERATIONS) throw inputError(`no sign change found in ${MAX_ITERATIONS} iterations`);
    lower -= delta;
    fLower = f(lower);
  }
  for (let delta = 0.01 * Math.max(1e-4, Math.abs(upper)); fUpper < 0; delta *= 2) {
    if (++steps > MAX_ITERATIONS) throw inputError(`no sign change found in ${MAX_ITERATIONS} iterations`);
    upper += delta;
    fUpper = f(upper);
  }
  if (Number.isNaN(fLower) || Number.isNaN(fUpper)) throw inputError(`no root found: the function is undefined (NaN) at the widened interval [${lower}, ${upper}]`);
  return zeroin(f, lower, upper, fLower, fUpper, R_UNIROOT_TOL);
}

// Brent (1973) zeroin as in R's R_zeroin2: b is the best estimate, c the contrapoint (f(b), f(c) of
// opposite sign), a the previous b; inverse quadratic or linear interpolation when it stays inside
// the bracket, bisection otherwise. Returns the last b after MAX_ITERATIONS, as R does (with a warning).
function zeroin(f: (x: number) => number, ax: number, bx: number, fa: number, fb: number, tol: number): number {
  let a = ax;
  let b = bx;
  let c = a;
  let fc = fa;
  if (fa === 0) return a;
  if (fb === 0) return b;
  for (let iteration = 0; iteration <= MAX_ITERATIONS; iteration++) {
    const prevStep = b - a;
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolAct = 2 * Number.EPSILON * Math.abs(b) + tol / 2;
    let newStep = (c - b) / 2;
    if (Math.abs(newStep) <= tolAct || fb === 0) return b;
    if (Math.abs(prevStep) >= tolAct && Math.abs(fa) > Math.abs(fb)) {
      const cb = c - b;
      let p: number;
      let q: number;
      if (a === c) {
        const t1 = fb / fa;
        p = cb * t1;
        q = 1 - t1;
      } else {
        const qa = fa / fc;
        const t1 = fb / fc;
        const t2 = fb / fa;
        p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
        q = (qa - 1) * (t1 - 1) * (t2 - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < 0.75 * cb * q - Math.abs(tolAct * q) / 2 && p < Math.abs((prevStep * q) / 2)) newStep = p / q;
    }
    if (Math.abs(newStep) < tolAct) newStep = newStep > 0 ? tolAct : -tolAct;
    a = b;
    fa = fb;
    b += newStep;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  return b;
}
