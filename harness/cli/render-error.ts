import { formatProblem, HarnessError } from '../core/errors.js';

// Only the CLI turns errors into text and exit codes; commands just throw.
export function renderError(err: unknown): string {
  if (err instanceof HarnessError) {
    const lines = [`error: ${err.message}`, ...err.problems.map((p) => `  ${formatProblem(p)}`)];
    if (err.hint !== undefined) lines.push(`hint: ${err.hint}`);
    if (err.kind === 'bug' && process.env.HARNESS_DEBUG) lines.push(String((err.cause as Error | undefined)?.stack ?? ''));
    return `${lines.join('\n')}\n`;
  }
  const e = err as Error;
  const lines = [`error: internal error (this is a bug in harness): ${e?.message ?? String(err)}`];
  lines.push(process.env.HARNESS_DEBUG ? String(e?.stack) : 'hint: rerun with HARNESS_DEBUG=1 for the stack trace, and report it with the command you ran');
  return `${lines.join('\n')}\n`;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof HarnessError) return err.kind === 'check' ? 1 : err.kind === 'input' ? 2 : 3;
  return 3;
}

/**
 * The error as the one JSON object a `--json` command prints on stdout (the text still goes to
 * stderr), so a script that parses stdout gets what went wrong instead of nothing.
 */
export function errorJson(err: unknown, exitCode: number): string {
  const error = err instanceof HarnessError
    ? { kind: err.kind, message: err.message, problems: err.problems, hint: err.hint ?? null }
    : { kind: exitCode === 2 ? 'usage' : 'bug', message: ((err as Error | undefined)?.message ?? String(err)).replace(/^error: /, ''), problems: [], hint: null };
  return `${JSON.stringify({ error: { ...error, exitCode } }, null, 2)}\n`;
}
