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

export interface LocateOptions {
  /** Where run sets live; default: runs/ beside the project's experiments/ (defaultRunsRoot). */
  runsRoot?: string;
}

// The project harness works in: the nearest folder, from the working directory up, that holds an
// experiments/ folder (so a command works from any subfolder of the project); else the working
// directory. Looked up once per working directory (manifests ask for it on every pin).
const roots = new Map<string, string>();
function projectRoot(): string {
  const cwd = process.cwd();
  let root = roots.get(cwd);
  for (let dir = cwd; root === undefined; dir = path.dirname(dir)) {
    if (isFolder(path.join(dir, 'experiments'))) root = dir;
    else if (path.dirname(dir) === dir) root = cwd;
  }
  roots.set(cwd, root);
  return root;
}

/**
 * Where run sets live unless --runs-dir says otherwise: runs/ beside the experiments/ folder that
 * holds `experimentDir` (when it is in one), or beside the project's.
 */
export function defaultRunsRoot(experimentDir?: string): string {
  const parent = experimentDir === undefined ? undefined : path.dirname(path.resolve(experimentDir));
  const root = parent !== undefined && path.basename(parent) === 'experiments' ? path.dirname(parent) : projectRoot();
  return relativeToCwd(path.join(root, 'runs'));
}

// An experiment is named by id (looked up in the project's experiments/) or by its folder path.
export function locateExperiment(nameOrPath: string, options: LocateOptions = {}): ExperimentLocation {
  if (nameOrPath.trim() === '') throw inputError('no experiment named (the argument is empty)', { hint: 'pass an experiment id, e.g. exp-001-role-vs-goal (a folder under experiments/), or an experiment folder path' });
  const byPath = nameOrPath.includes('/') || nameOrPath.startsWith('.');
  const dir = relativeToCwd(byPath ? nameOrPath : path.join(projectRoot(), 'experiments', nameOrPath));
  if (!isFolder(dir)) {
    throw inputError(`experiment "${nameOrPath}" not found: no folder ${dir}`, {
      hint: byPath ? 'check the path' : `the experiments here are the folders under ${relativeToCwd(path.join(projectRoot(), 'experiments'))}/; or pass an experiment folder path`,
    });
  }
  if (byPath && !existsSync(path.join(dir, 'experiment.yaml'))) {
    throw inputError(`${dir} is not an experiment folder: it has no experiment.yaml`, {
      hint: 'name the experiment by its id (a folder of experiments/) or pass the folder holding its experiment.yaml; a run set is chosen with --runs-dir',
    });
  }
  const id = path.basename(path.resolve(dir));
  const runsRoot = options.runsRoot ?? defaultRunsRoot(dir);
  const runsDir = relativeToCwd(path.join(runsRoot, id));
  if (relativeInside(dir, runsDir) !== undefined) {
    throw inputError(`the run set ${runsDir} would be inside the experiment folder ${dir}, where its files would change the experiment's inputs`, {
      hint: `give --runs-dir a folder outside the experiment (relative to where you are), e.g. ${relativeToCwd(defaultRunsRoot(dir))}`,
    });
  }
  return { id, dir, configFile: path.join(dir, 'experiment.yaml'), runsDir };
}

const isFolder = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** For a command line in a hint: ` --runs-dir <root>` when the run set is not under the default root, else ''. */
export function runsDirFlag(runsDir: string): string {
  const root = path.dirname(runsDir);
  return path.resolve(root) === path.resolve(defaultRunsRoot()) ? '' : ` --runs-dir ${root}`;
}

/** A path as the working directory reaches it: relative when inside it, else absolute. */
export function relativeToCwd(p: string): string {
  return relativeTo(process.cwd(), p);
}

/**
 * A path as recorded in a document (a manifest's experiment and run set): relative to the project
 * (the folder holding experiments/), so documents move with the repository and read the same
 * from any of its subfolders; absolute when outside it. `fromProject` turns it back.
 */
export function projectPath(p: string): string {
  return relativeTo(projectRoot(), p);
}

export function fromProject(recorded: string): string {
  return relativeToCwd(path.resolve(projectRoot(), recorded));
}

function relativeTo(base: string, p: string): string {
  const rel = relativeInside(base, p);
  return rel === undefined ? path.resolve(p) : rel === '' ? '.' : rel;
}

/**
 * The path of `p` relative to `folder` when it is the folder or lies inside it ('' for the folder
 * itself); undefined when it lies outside (a name like `..notes` inside it is inside).
 */
export function relativeInside(folder: string, p: string): string | undefined {
  const rel = path.relative(path.resolve(folder), path.resolve(p));
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? undefined : rel;
}

/** Whether a folder is a run set: it holds a freeze record or a registry (what is left of one counts). */
export function isRunSetFolder(dir: string): boolean {
  const files = runSetFiles(dir);
  return existsSync(files.freezeRecord) || existsSync(files.registry);
}

export function runSetFiles(runsDir: string): { freezeRecord: string; schedule: string; registry: string } {
  return {
    freezeRecord: path.join(runsDir, 'experiment.lock.json'),
    schedule: path.join(runsDir, 'schedule.json'),
    registry: path.join(runsDir, 'registry.jsonl'),
  };
}
