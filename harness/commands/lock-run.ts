import { outcomeWithheld } from '../pipeline/attempt-state.js';
import { loadValidRun } from '../pipeline/load-run.js';
import { lockLoadedRun, type LockResult } from '../pipeline/lock-run.js';

export interface LockRunOptions {
  run: string;
}

/** The lock, with its outcome withheld (null) while pre-registered blinding hides outcomes. */
export type LockRunResult = Omit<LockResult, 'success'> & { success: boolean | null; blinded: boolean };

// lock-run: the pipeline's lock of one run folder, by hand.
export async function lockRun(options: LockRunOptions): Promise<LockRunResult> {
  const run = await loadValidRun(options.run, new Map());
  const r = await lockLoadedRun(run);
  const blinded = await outcomeWithheld(run);
  return { ...r, success: blinded ? null : r.success, blinded };
}
