import { existsSync } from 'node:fs';
import path from 'node:path';
import { locateExperiment } from '../experiment/locate.js';
import { verifyRunSet, type VerifyReport } from '../pipeline/verify-experiment.js';

export interface VerifyOptions {
  target: string;
  runsDir?: string;
}

// A run folder (it has a manifest) is verified alone against its run set's registry; anything
// else names an experiment whose whole run set is verified.
export async function verify(options: VerifyOptions): Promise<VerifyReport & { ok: boolean }> {
  const isRun = existsSync(path.join(options.target, 'manifest.json'));
  const report = isRun
    ? await verifyRunSet(path.dirname(path.resolve(options.target)), path.resolve(options.target))
    : await verifyRunSet(locateExperiment(options.target, { runsRoot: options.runsDir }).runsDir);
  return { ...report, ok: report.problems.length === 0 };
}
