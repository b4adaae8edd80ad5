import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { inputError } from '../core/errors.js';

export interface ExperimentLocation {
  id: string;
  /** The experiment folder, relative to the working directory when it lies inside it. */
  dir: string;
  configFile: string;
  /** The run set: freeze record, schedule, registry, one folder per run. */
  runsDir: string;
}

export const DEFAULT_RUNS_ROOT = 'runs';

export interface LocateOptions {
  /** Where run sets live; default `runs/`. */
  runsRoot?: string;
}

// An experiment is named by id (looked up in experiments/) or by its folder path.
export function locateExperiment(nameOrPath: string, options: LocateOptions = {}): ExperimentLocation {
  if (nameOrPath.trim() === '') throw inputError('no experiment named (the argument is empty)', { hint: 'pass an experiment id, e.g. exp-001-role-vs-goal (a folder under experiments/), or an experiment folder path' });
  const byPath = nameOrPath.includes('/') || nameOrPath.startsWith('.');
  const dir = relativeToCwd(byPath ? nameOrPath : path.join('experiments', nameOrPath));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw inputError(`experiment "${nameOrPath}" not found: no folder ${dir}`, {
      hint: byPath ? 'check the path' : 'run harness from the repository root, or pass the experiment folder path',
    });
  }
  const id = path.basename(path.resolve(dir));
  const runsRoot = options.runsRoot ?? DEFAULT_RUNS_ROOT;
  return { id, dir, configFile: path.join(dir, 'experiment.yaml'), runsDir: relativeToCwd(path.join(runsRoot, id)) };
}

/** For a command line in a hint: ` --runs-dir <root>` when the run set is not under the default root, else ''. */
export function runsDirFlag(runsDir: string): string {
  const root = path.dirname(runsDir);
  return path.resolve(root) === path.resolve(DEFAULT_RUNS_ROOT) ? '' : ` --runs-dir ${root}`;
}

/** Paths are recorded relative to the working directory so documents move with the repository. */
export function relativeToCwd(p: string): string {
  const rel = path.relative(process.cwd(), path.resolve(p));
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(p) : rel;
}

export function runSetFiles(runsDir: string): { freezeRecord: string; schedule: string; registry: string } {
  return {
    freezeRecord: path.join(runsDir, 'experiment.lock.json'),
    schedule: path.join(runsDir, 'schedule.json'),
    registry: path.join(runsDir, 'registry.jsonl'),
  };
}
