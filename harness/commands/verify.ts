import { existsSync } from 'node:fs';
import path from 'node:path';
import { inputError } from '../core/errors.js';
import { isRunSetFolder, locateExperiment, relativeToCwd } from '../experiment/locate.js';
import { notFrozenError } from '../pipeline/frozen-set.js';
import { verifyRunSet, type VerifyReport } from '../pipeline/verify-experiment.js';
import { LOCK_FILE } from '../store/run-lock.js';

export interface VerifyOptions {
  target: string;
  runsDir?: string;
}

// A run set that was never frozen has nothing to verify (one that lost its freeze record or its
// registry does: verify reports what is missing).
function frozenRunsDir(experiment: string, runsRoot: string | undefined): string {
  const location = locateExperiment(experiment, { runsRoot });
  if (!isRunSetFolder(location.runsDir)) throw notFrozenError(location.runsDir, location.id);
  return location.runsDir;
}

// A run folder (it has a manifest or a lock) is verified alone against its run set's registry; a
// run set folder (freeze record or registry) as a whole; anything else names an experiment whose
// run set is verified.
export async function verify(options: VerifyOptions): Promise<VerifyReport & { ok: boolean; run: string | null }> {
  const has = (file: string) => existsSync(path.join(options.target, file));
  const run = has('manifest.json') || has(LOCK_FILE) ? relativeToCwd(options.target) : null;
  if (run === null && options.target.includes('/') && !existsSync(options.target)) {
    throw inputError(`no folder ${options.target}`, { hint: 'pass an experiment id (e.g. exp-001-role-vs-goal) or folder, a run set such as runs/<exp>, or a run folder such as runs/<exp>/<run-id>' });
  }
  const runSet = isRunSetFolder(options.target) ? relativeToCwd(options.target) : undefined;
  const report = run !== null
    ? await verifyRunSet(path.dirname(run), run)
    : await verifyRunSet(runSet ?? frozenRunsDir(options.target, options.runsDir));
  return { ...report, ok: report.problems.length === 0, run };
}
