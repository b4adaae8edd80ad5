import { outcomeWithheld } from '../pipeline/attempt-state.js';
import { abandonFailedAttempt } from '../pipeline/execute-run.js';
import { withSlotClaim } from '../pipeline/claims.js';
import { openRunSet } from '../pipeline/open-run-set.js';
import { finishSlot, pinSlot, type SlotStage } from '../pipeline/run-slot.js';
import { resolveSandbox } from '../pipeline/sandbox-mode.js';
import { contextsOf } from '../pipeline/experiment-context.js';
import type { InitOptions } from './pin-and-run-init.js';

export interface FullResult {
  runId: string;
  runDir: string;
  stage: SlotStage;
  /** Null when the run did not lock, or while pre-registered blinding hides outcomes (`blinded`). */
  success: boolean | null;
  blinded: boolean;
  stopReason: string;
  infrastructureError: string | null;
}

// pin-and-run --full: every stage for one slot, stopping at the first that fails.
export async function pinAndRunFull(options: InitOptions): Promise<FullResult> {
  const { exp, frozen } = await openRunSet(options.experiment, options.runsDir, 'execute', options.provider);
  const sandbox = await resolveSandbox({ exp, frozen }, options.sandbox, [options.task]);
  const work = async () => {
    const pinned = await pinSlot(exp, frozen, {
      task: options.task, variant: options.variant, pairId: options.pairId, seed: options.seed, adhoc: options.adhoc ?? false,
    }, { sandbox, contexts: contextsOf({ exp, frozen }) });
    const r = await finishSlot(pinned);
    if (r.infrastructureError !== undefined) await abandonFailedAttempt(pinned.valid, r.infrastructureError);
    return { pinned, r };
  };
  const { pinned, r } = await withSlotClaim(frozen.runsDir, options, work);
  const blinded = await outcomeWithheld(pinned.valid);
  return {
    runId: r.runId, runDir: r.runDir, stage: r.stage, success: blinded ? null : r.success, blinded,
    stopReason: r.execution.stopReason, infrastructureError: r.infrastructureError ?? null,
  };
}
