import { existsSync } from 'node:fs';
import path from 'node:path';
import { inputError, type Problem } from '../core/errors.js';
import { isRunSetFolder, locateExperiment, relativeToCwd } from '../experiment/locate.js';
import { notFrozenError, STOPPED_DEVIATION } from '../pipeline/frozen-set.js';
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
export async function verify(options: VerifyOptions): Promise<VerifyReport & { ok: boolean; run: string | null; hints: string[] }> {
  const has = (file: string) => existsSync(path.join(options.target, file));
  const run = has('manifest.json') || has(LOCK_FILE) ? relativeToCwd(options.target) : null;
  if (run === null && options.target.includes('/') && !existsSync(options.target)) {
    throw inputError(`no folder ${options.target}`, { hint: 'pass an experiment id (e.g. exp-001-role-vs-goal) or folder, a run set such as runs/<exp>, or a run folder such as runs/<exp>/<run-id>' });
  }
  const runSet = isRunSetFolder(options.target) ? relativeToCwd(options.target) : undefined;
  const report = run !== null
    ? await verifyRunSet(path.dirname(run), run)
    : await verifyRunSet(runSet ?? frozenRunsDir(options.target, options.runsDir));
  return { ...report, ok: report.problems.length === 0, run, hints: nextSteps(report.problems) };
}

// What to do next, for the kinds of problem found: the registry is restored, never rewritten; a
// changed run is restored or redone, and a redone run stays on record (verify names it still, the
// audit fails, for readers to see). A freeze record a stopped `freeze --deviation` wrote names its
// own way out.
function nextSteps(problems: readonly Problem[]): string[] {
  const about = (re: RegExp) => problems.some((p) => re.test(p.file ?? ''));
  const inRegistry = about(/registry\.jsonl$/);
  const inFreeze = problems.some((p) => /(experiment\.lock\.json|schedule\.json)$/.test(p.file ?? '') && !p.message.includes(STOPPED_DEVIATION));
  const inRuns = problems.some((p) => !/(registry\.jsonl|registry\.csv|violations\.log|experiment\.lock\.json|schedule\.json)$/.test(p.file ?? ''));
  return [
    inRegistry ? 'the registry is append-only: restore registry.jsonl from a backup (a last line cut off by a crash: see its line above)' : '',
    inFreeze ? 'restore the freeze record and schedule from a backup (the schedule regenerates from the config: `harness freeze` on a copy)' : '',
    inRuns ? 'a changed locked run is never repaired in place: restore its files from a copy, or redo it with `harness rerun <run-id> --reason "…"`; the changed run is kept, marked superseded, and still named here and by the audit' : '',
  ].filter((h) => h !== '');
}
