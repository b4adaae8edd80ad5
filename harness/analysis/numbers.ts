/** JSON has no Infinity or NaN: such values are reported as null (the report says why). */
export function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Runs a statistic that may refuse degenerate data (e.g. constant differences); null then. */
export function attempt<T>(fn: () => T): { value: T | null; note: string | null } {
  try {
    return { value: fn(), note: null };
  } catch (err) {
    return { value: null, note: (err as Error).message };
  }
}
