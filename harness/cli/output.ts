// Every command that prints a result can print it as JSON instead (`--json`), one object on stdout.
export function emit<T>(result: T, json: boolean | undefined, text: (r: T) => string): void {
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : text(result));
}

const OUTCOME_HIDDEN = 'outcome hidden until every slot is done, as pre-registered';

/** A locked run's outcome as the commands that lock print it, withheld while pre-registered blinding holds. */
export function outcomeText(r: { blinded: boolean; success: boolean | null }): string {
  return r.blinded ? OUTCOME_HIDDEN : r.success ? 'success' : 'checks failed';
}
