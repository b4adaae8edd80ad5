import { inputError } from '../core/errors.js';
import { detectSandbox, INSTALL_BUBBLEWRAP } from '../sandbox/detect.js';
import type { SandboxMode } from './manifest.js';

export type SandboxRequest = 'auto' | SandboxMode;

/** Starts the (cached) bwrap probe early, so it overlaps loading the experiment. */
export function startSandboxProbe(requested: SandboxRequest | undefined): void {
  if (requested !== 'none') void detectSandbox();
}

// bwrap whenever it works; `none` only when the user says so, or when nothing in the run can
// start a program. Without bwrap, a run that needs commands is refused rather than run bare.
export async function resolveSandbox(requested: SandboxRequest, needsCommands: boolean): Promise<{ mode: SandboxMode; version?: string }> {
  if (requested === 'none') return { mode: 'none' };
  const status = await detectSandbox();
  if (status.available) return status.version === undefined ? { mode: 'bwrap' } : { mode: 'bwrap', version: status.version };
  if (requested === 'auto' && !needsCommands) return { mode: 'none' };
  throw inputError(`this run needs the bubblewrap sandbox, which is not usable here: ${status.reason ?? 'bwrap not found'}`, {
    hint: `${INSTALL_BUBBLEWRAP}, or run without a sandbox with \`--sandbox none\` (the manifest records it and the audit reports it)`,
  });
}
