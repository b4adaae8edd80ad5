import type { Digest } from '../core/digest.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import { openRunSet } from '../pipeline/open-run-set.js';
import { initRun } from '../pipeline/init-run.js';
import { resolveSandbox, type SandboxRequest } from '../pipeline/sandbox-mode.js';

export interface InitOptions {
  experiment: string;
  variant: string;
  task: string;
  seed: number;
  pairId: string;
  adhoc?: boolean;
  runsDir?: string;
  sandbox?: SandboxRequest;
  /** The provider the caller asked for, which must be the run set's. */
  provider?: ProviderName;
}

export interface InitResult {
  runId: string;
  runDir: string;
  manifest: string;
  manifestDigest: Digest;
  adhoc: boolean;
  slotIndex: number | null;
  attempt: number;
  sandbox: string;
}

// pin-and-run --init: one slot's run folder and manifest, after checking that the experiment
// is frozen, unchanged since, and that the slot is in the schedule (or explicitly ad hoc).
export async function pinAndRunInit(options: InitOptions): Promise<InitResult> {
  const { exp, frozen } = await openRunSet(options.experiment, options.runsDir, 'pin', options.provider);
  const sandbox = await resolveSandbox({ exp, frozen }, options.sandbox, [options.task]);
  const run = await initRun(exp, frozen, {
    task: options.task, variant: options.variant, pairId: options.pairId, seed: options.seed, adhoc: options.adhoc ?? false,
  }, { sandbox });
  await run.registered;
  return {
    runId: run.runId,
    runDir: run.runDir,
    manifest: run.manifestFile,
    manifestDigest: run.manifest.digest,
    adhoc: run.manifest.adhoc,
    slotIndex: run.manifest.slot.index,
    attempt: run.manifest.slot.attempt,
    sandbox: run.manifest.sandbox.mode,
  };
}
