import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { AnalysisReport, Manifest, RegistryEntry } from '../core/types/index.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import type { Dataset } from '../analysis/dataset.js';
import type { FrozenSet } from '../pipeline/frozen-set.js';

export type Entry<T extends RegistryEntry['type']> = Extract<RegistryEntry, { type: T }>;

/** Everything the audit looks at, loaded once. */
export interface AuditContext {
  exp: LoadedExperiment;
  frozen: FrozenSet;
  entries: RegistryEntry[];
  data: Dataset;
  /** Manifests of every locked run (superseded and ad hoc included): the audit sees them all. */
  manifests: Map<string, Manifest>;
  report: AnalysisReport | undefined;
  reportFile: string;
}

export function ofType<T extends RegistryEntry['type']>(entries: readonly RegistryEntry[], type: T): Entry<T>[] {
  return entries.filter((e): e is Entry<T> => e.type === type);
}

export async function lockedManifests(frozen: FrozenSet, entries: readonly RegistryEntry[]): Promise<Map<string, Manifest>> {
  const out = new Map<string, Manifest>();
  for (const e of ofType(entries, 'locked')) {
    const file = path.join(frozen.runsDir, e.data.runId, 'manifest.json');
    if (existsSync(file)) out.set(e.data.runId, JSON.parse(await fs.readFile(file, 'utf8')) as Manifest);
  }
  return out;
}
