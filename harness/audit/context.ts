import path from 'node:path';
import type { AnalysisReport, Manifest, RegistryEntry } from '../core/types/index.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import type { Dataset } from '../analysis/dataset.js';
import { ofType } from '../core/entries.js';
import { loadJsonIfValid } from '../documents/validate.js';
import type { FrozenSet } from '../pipeline/frozen-set.js';
import { runFiles } from '../pipeline/load-run.js';

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

export function lockedManifests(frozen: FrozenSet, entries: readonly RegistryEntry[]): Map<string, Manifest> {
  const out = new Map<string, Manifest>();
  for (const e of ofType(entries, 'locked')) {
    const file = runFiles(path.join(frozen.runsDir, e.data.runId)).manifest;
    // A manifest gone or broken after locking is the integrity check's finding, not a refusal.
    const manifest = loadJsonIfValid<Manifest>('manifest', file);
    if (manifest !== undefined) out.set(e.data.runId, manifest);
  }
  return out;
}
