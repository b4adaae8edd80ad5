// Checks at the library's edge: the functions are pure and called with data the caller loaded, so
// a bad argument is the caller's input mistake and is reported as such, naming the argument.
import { inputError } from '../../core/errors.js';

// Confidence levels and significance levels are open-interval probabilities.
export function checkProbability(name: string, value: number): void {
  if (!(value > 0 && value < 1)) {
    throw inputError(`${name} must be strictly between 0 and 1, got ${value}`);
  }
}

// Counts of pairs (McNemar cells, successes, trials) must be whole and non-negative.
export function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw inputError(`${name} must be a non-negative integer, got ${value}`);
  }
}

// Paired samples: same length, finite values; returns treatment − control per pair.
export function pairedDifferences(treatment: readonly number[], control: readonly number[]): number[] {
  if (treatment.length !== control.length) {
    throw inputError(
      `paired samples differ in length: ${treatment.length} treatment vs ${control.length} control values`,
      { hint: 'each pair needs one treatment and one control value, in the same order' },
    );
  }
  return treatment.map((t, i) => {
    const c = control[i] as number;
    if (!Number.isFinite(t) || !Number.isFinite(c)) {
      throw inputError(`pair ${i} has a non-finite value (treatment ${t}, control ${c})`);
    }
    return t - c;
  });
}
