import path from 'node:path';
import type { Manifest } from '../core/types/index.js';
import { loadExperiment, type LoadedExperiment } from '../experiment/load-experiment.js';
import { fromProject, projectPath } from '../experiment/locate.js';
import { loadFrozenSet, type FrozenSet } from './frozen-set.js';

/** An experiment as loaded, with its frozen run set: what every stage of a run is checked against. */
export interface ExperimentContext {
  exp: LoadedExperiment;
  frozen: FrozenSet;
}

/** Loaded contexts by experiment folder and run set, so the manifests of one set share one load. */
export type ContextCache = Map<string, Promise<ExperimentContext>>;

const keyOf = (experimentPath: string, runsPath: string): string => `${experimentPath}\0${runsPath}`;

/**
 * A cache holding the experiment a command has just loaded and found unchanged since freezing
 * (openRunSet): the manifests it pins are checked against that load, keyed as buildManifest
 * records its paths, instead of a second load of the same files.
 */
export function contextsOf(ctx: ExperimentContext): ContextCache {
  return new Map([[keyOf(projectPath(ctx.exp.location.dir), projectPath(ctx.frozen.runsDir)), Promise.resolve(ctx)]]);
}

/** The experiment and run set a manifest was pinned from, loaded once per cache. */
export function contextOf(manifest: Manifest, contexts: ContextCache): Promise<ExperimentContext> {
  const key = keyOf(manifest.experiment.path, manifest.experiment.runsPath);
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    ctx = load(manifest);
    contexts.set(key, ctx);
  }
  return ctx;
}

async function load(manifest: Manifest): Promise<ExperimentContext> {
  const runsDir = fromProject(manifest.experiment.runsPath);
  const exp = await loadExperiment(fromProject(manifest.experiment.path), { runsRoot: path.dirname(runsDir) });
  return { exp, frozen: loadFrozenSet(runsDir, exp.config.id) };
}
