import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkFailed, inputError } from '../core/errors.js';
import type { Manifest } from '../core/types/index.js';
import { LOCK_FILE, SUMS_FILE } from '../store/run-lock.js';
import { checkManifestFile } from './validate-manifest.js';
import { contextOf, type ContextCache, type ExperimentContext } from './experiment-context.js';

export interface RunFiles {
  dir: string;
  manifest: string;
  trace: string;
  outputs: string;
  scorecard: string;
  evaluationLog: string;
  lock: string;
  sums: string;
}

/** The files of the run folder `dir`. */
export function runFiles(dir: string): RunFiles {
  return {
    dir,
    manifest: path.join(dir, 'manifest.json'),
    trace: path.join(dir, 'agent.log'),
    outputs: path.join(dir, 'outputs'),
    scorecard: path.join(dir, 'scorecard.json'),
    evaluationLog: path.join(dir, 'evaluation.log'),
    lock: path.join(dir, LOCK_FILE),
    sums: path.join(dir, SUMS_FILE),
  };
}

/** A run folder named by the folder or its manifest, as users pass either. */
function runFilesFor(dirOrManifest: string): RunFiles {
  return runFiles(dirOrManifest.endsWith('.json') ? path.dirname(dirOrManifest) : dirOrManifest);
}

export interface ValidRun {
  files: RunFiles;
  manifest: Manifest;
  ctx: ExperimentContext;
}

// Every stage after --init starts here: the manifest must still validate, or the stage refuses.
export async function loadValidRun(dirOrManifest: string, contexts: ContextCache): Promise<ValidRun> {
  const files = runFilesFor(dirOrManifest);
  if (!existsSync(files.manifest)) throw inputError(`${files.dir} is not a run folder: no manifest.json`, { hint: 'pass a run folder made by `harness pin-and-run --init`, or its manifest.json' });
  const check = await checkManifestFile(files.manifest, contexts);
  if (check.unreadable) throw inputError(`${files.manifest} is not a readable manifest`, { problems: check.problems });
  if (check.problems.length > 0 || check.manifest === undefined) {
    throw checkFailed(`${files.manifest} fails validation`, { problems: check.problems, hint: 'run `harness validate-manifest` on it for details' });
  }
  return { files, manifest: check.manifest, ctx: await contextOf(check.manifest, contexts) };
}
