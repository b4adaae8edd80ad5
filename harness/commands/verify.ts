import { existsSync } from 'node:fs';
import path from 'node:path';
import { inputError } from '../core/errors.js';
import { locateExperiment, relativeToCwd } from '../experiment/locate.js';
import { verifyRunSet, type VerifyReport } from '../pipeline/verify-experiment.js';

export interface VerifyOptions {
  target: string;
  runsDir?: string;
}

// A run folder (it has a manifest) is verified alone against its run set's registry; anything
// else names an experiment whose whole run set is verified.
export async function verify(options: VerifyOptions): Promise<VerifyReport & { ok: boolean; run: string | null }> {
  const run = existsSync(path.join(options.target, 'manifest.json')) ? relativeToCwd(options.target) : null;
  if (run === null && options.target.includes('/') && !existsSync(options.target)) {
    throw inputError(`no folder ${options.target}`, { hint: 'pass an experiment id (e.g. exp-001-role-vs-goal) or folder, or a run folder such as runs/<exp>/<run-id>' });
  }
  const report = run !== null
    ? await verifyRunSet(path.dirname(run), run)
    : await verifyRunSet(locateExperiment(options.target, { runsRoot: options.runsDir }).runsDir);
  return { ...report, ok: report.problems.length === 0, run };
}
