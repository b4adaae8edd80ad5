import { HarnessError } from '../core/errors.js';

/** JSON has no Infinity or NaN: such values are reported as null (the report says why). */
export function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** An interval's level as people write it: 0.95 → "95%", 0.9 → "90%", 0.9995 → "99.95%". */
export function levelText(confLevel: number): string {
  return `${Number((100 * confLevel).toFixed(3))}%`;
}

/**
 * Runs a statistic that may refuse degenerate data (e.g. constant differences), which the stats
 * functions do with an input error: null then, with the refusal as a note. Anything else is a bug
 * and is thrown, never turned into a note in the report.
 */
export function attempt<T>(fn: () => T): { value: T | null; note: string | null } {
  try {
    return { value: fn(), note: null };
  } catch (err) {
    if (err instanceof HarnessError && err.kind === 'input') return { value: null, note: err.message };
    throw err;
  }
}
