// One error type for the whole tool: `kind` decides the exit code (only the CLI entry maps it),
// `problems` say where (file, line, JSON path) and `hint` says what to do next.

export type ErrorKind = 'input' | 'check' | 'bug';

export interface Problem {
  file?: string;
  line?: number;
  column?: number;
  /** JSON path of the offending value, e.g. `/checks/0/path`. */
  path?: string;
  message: string;
}

export interface HarnessErrorOptions {
  hint?: string;
  problems?: Problem[];
  cause?: unknown;
}

export class HarnessError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly problems: Problem[];

  constructor(kind: ErrorKind, message: string, options: HarnessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.kind = kind;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }
}

/** A user mistake: bad input or usage (exit 2). */
export function inputError(message: string, options?: HarnessErrorOptions): HarnessError {
  return new HarnessError('input', message, options);
}

/** A check that ran and failed: tampering, a failed pairing, an audit finding (exit 1). */
export function checkFailed(message: string, options?: HarnessErrorOptions): HarnessError {
  return new HarnessError('check', message, options);
}

/** Something that should never happen: the message says so, so users report it. */
export function bug(message: string, cause?: unknown): HarnessError {
  return new HarnessError('bug', `internal error (this is a bug in harness): ${message}`, {
    cause,
    hint: 'please report it with the command you ran',
  });
}

export function formatProblem(p: Problem): string {
  let where = p.file ?? '';
  if (p.file !== undefined && p.line !== undefined) {
    where += `:${p.line}`;
    if (p.column !== undefined) where += `:${p.column}`;
  }
  if (p.path !== undefined && p.path !== '') where += where === '' ? p.path : ` ${p.path}`;
  return where === '' ? p.message : `${where}: ${p.message}`;
}
