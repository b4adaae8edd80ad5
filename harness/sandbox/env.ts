import { inputError } from '../core/errors.js';
import { SANDBOX_WORKSPACE } from './bwrap-args.js';

// What every sandboxed program starts from, built from nothing rather than filtered from the host.
const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: SANDBOX_WORKSPACE,
  LANG: 'C.UTF-8',
  TMPDIR: '/tmp',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment for a sandboxed program: PATH, HOME=/workspace, LANG, TMPDIR, then the host
 * variables named in `passthrough` (copied from process.env; skipped when unset), then `extra`
 * (wins over both). Nothing else of process.env is inherited: API keys and other secrets reach
 * a program only when a caller names them here on purpose (e.g. an external agent's key, as the
 * experiment config says).
 */
export function sandboxEnv(
  extra: Record<string, string> = {},
  passthrough: string[] = [],
): Record<string, string> {
  const env: Record<string, string> = { ...BASE_ENV };
  for (const name of passthrough) {
    checkName(name, 'pass-through');
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    checkName(name, 'extra');
    if (value.includes('\0')) {
      throw inputError(`environment variable ${name} contains a NUL byte`, {
        hint: 'environment values cannot carry NUL bytes; remove it',
      });
    }
    env[name] = value;
  }
  return env;
}

// A bad name would be silently mangled by exec (or by bwrap --setenv); say so where it enters.
function checkName(name: string, what: string): void {
  if (!ENV_NAME.test(name)) {
    throw inputError(`invalid ${what} environment variable name ${JSON.stringify(name)}`, {
      hint: 'names are letters, digits and _, not starting with a digit',
    });
  }
}
