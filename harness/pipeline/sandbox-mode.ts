import { inputError } from '../core/errors.js';
import { detectSandbox, INSTALL_BUBBLEWRAP } from '../sandbox/detect.js';
import type { SandboxMode } from '../sandbox/run.js';
import { needsCommands } from './manifest.js';
import type { ExperimentContext } from './experiment-context.js';

export type SandboxRequest = 'auto' | SandboxMode;

/** Starts the (cached) bwrap probe early, so it overlaps loading the experiment. */
export function startSandboxProbe(requested: SandboxRequest | undefined): void {
  if (requested !== 'none') void detectSandbox();
}

// bwrap whenever it works; `none` only when the user says so, or when nothing the runs of
// `taskIds` (default: every task) do can start a program. Without bwrap, runs that need commands
// are refused rather than run bare.
export async function resolveSandbox({ exp, frozen }: ExperimentContext, requested: SandboxRequest | undefined, taskIds?: readonly string[]): Promise<{ mode: SandboxMode; version?: string }> {
  if (requested === 'none') return { mode: 'none' };
  const tasks = taskIds === undefined ? exp.tasks : exp.tasks.filter((t) => taskIds.includes(t.id));
  const commands = tasks.some((t) => needsCommands(frozen.record.provider, t));
  const status = await detectSandbox();
  if (status.available) return status.version === undefined ? { mode: 'bwrap' } : { mode: 'bwrap', version: status.version };
  if ((requested ?? 'auto') === 'auto' && !commands) return { mode: 'none' };
  throw inputError(`this run needs the bubblewrap sandbox, which is not usable here: ${status.reason ?? 'bwrap not found'}`, {
    hint: `${INSTALL_BUBBLEWRAP}, or run without a sandbox with \`--sandbox none\` (the manifest records it and the audit reports it)`,
  });
}
