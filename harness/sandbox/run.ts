import path from 'node:path';
import { bug, inputError } from '../core/errors.js';
import type { Manifest } from '../core/types/index.js';
import { SANDBOX_WORKSPACE, bwrapInvocation } from './bwrap-args.js';
import { detectSandbox, INSTALL_BUBBLEWRAP } from './detect.js';
import { spawnCapped, type RunResult } from './spawn-capped.js';

export type { RunResult } from './spawn-capped.js';

/** The manifest's sandbox.mode: `bwrap` isolates; `none` runs on the host and exists only for an explicit `--sandbox none`. */
export type SandboxMode = Manifest['sandbox']['mode'];

export interface RunOptions {
  mode: SandboxMode;
  /** Absolute host path; the program sees it as /workspace (bwrap) or as its cwd (none). */
  workspace: string;
  argv: string[];
  stdin?: string;
  /** The complete environment, normally from sandboxEnv(); nothing else is inherited. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Grant network access (bwrap only shares the host network when true). Default false. */
  network?: boolean;
  /** Per stream; the head is kept and the rest drained and dropped. */
  maxOutputBytes: number;
  /** Extra host paths visible read-only (bwrap only; with mode none everything is visible anyway). */
  readOnly?: { host: string; target: string }[];
}

// The one way the agent's tools, the command provider and command checks run a program, so all
// of them get the same isolation, deadline, output caps and environment.
export async function runSandboxed(opts: RunOptions): Promise<RunResult> {
  if (!path.isAbsolute(opts.workspace)) throw bug(`runSandboxed needs an absolute workspace, got ${opts.workspace}`);
  const [program, ...args] = opts.argv;
  if (program === undefined) throw bug('runSandboxed needs a non-empty argv');
  const nul = [...opts.argv, ...Object.entries(opts.env).flat()].find((s) => s.includes('\0'));
  if (nul !== undefined) {
    throw inputError(`command argument or environment value contains a NUL byte: ${JSON.stringify(nul)}`, {
      hint: 'programs cannot receive NUL bytes in arguments or environment; remove it',
    });
  }
  const common = { env: opts.env, stdin: opts.stdin, timeoutMs: opts.timeoutMs, maxOutputBytes: opts.maxOutputBytes };
  if (opts.mode === 'none') {
    // HOME=/workspace names the sandbox's view; on the host that directory is the workspace itself.
    const env = opts.env.HOME === SANDBOX_WORKSPACE ? { ...opts.env, HOME: opts.workspace } : opts.env;
    return spawnCapped({ ...common, env, file: program, args, cwd: opts.workspace });
  }
  const status = await detectSandbox();
  if (!status.available || status.path === undefined) {
    throw inputError(`cannot run ${program} in a sandbox: ${status.reason ?? 'bubblewrap is not usable'}`, {
      hint: `${INSTALL_BUBBLEWRAP}; the run's manifest pins the bwrap sandbox, so running its commands unsandboxed ` +
        'takes a new attempt pinned with `--sandbox none` (the manifest records it and the audit reports it)',
    });
  }
  const spec = { workspace: opts.workspace, env: opts.env, network: opts.network ?? false, readOnly: opts.readOnly };
  const invocation = bwrapInvocation(spec, opts.argv);
  // bwrap itself gets an empty environment (so its messages are in the C locale); the program's
  // comes only from --setenv.
  return asStartFailure(await spawnCapped({ ...common, env: {}, file: status.path, ...invocation }), program);
}

// When bwrap cannot start the program (its execvp fails: not found, not executable), it says so
// itself, `bwrap: execvp <program>: <reason>`, and exits 1 like any program that failed. Answer as
// mode none and a shell do instead: 127 for a program not found, 126 for one that cannot be run,
// so callers tell "never started" from "ran and failed" the same way in both modes.
function asStartFailure(r: RunResult, program: string): RunResult {
  const prefix = `bwrap: execvp ${program}: `;
  if (r.exitCode !== 1 || r.stdout !== '' || !r.stderr.startsWith(prefix) || r.stderr.indexOf('\n') !== r.stderr.length - 1) return r;
  const reason = r.stderr.slice(prefix.length, -1);
  return { ...r, exitCode: reason === 'No such file or directory' ? 127 : 126 };
}
