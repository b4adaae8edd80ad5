import { inputError } from '../../core/errors.js';

// Holm's step-down adjustment for a family of p-values, as R's p.adjust(p, "holm"): sorted
// ascending, the i-th (1-based) is multiplied by (m − i + 1), made monotone by a running maximum,
// capped at 1, and returned in the input order. Controls the family-wise error rate with no
// assumption about dependence between the tests.
export function holm(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw inputError(`p-value ${i} must be in [0, 1], got ${p}`);
  });
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => (pValues[i] as number) - (pValues[j] as number));
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, (m - rank) * (pValues[index] as number));
    adjusted[index] = Math.min(1, running);
  });
  return adjusted;
}
