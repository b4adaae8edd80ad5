import path from 'node:path';
import type { AnalysisReport, Manifest, RegistryEntry } from '../core/types/index.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import type { Dataset } from '../analysis/dataset.js';
import { ofType } from '../core/entries.js';
import { loadValidJsonIfPresent } from '../documents/validate.js';
import { runsDirFlag } from '../experiment/locate.js';
import type { FrozenSet } from '../pipeline/frozen-set.js';

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
    const file = path.join(frozen.runsDir, e.data.runId, 'manifest.json');
    const manifest = loadValidJsonIfPresent<Manifest>('manifest', file, `the locked run was changed; \`harness verify ${frozen.record.experiment}${runsDirFlag(frozen.runsDir)}\` lists every problem`);
    if (manifest !== undefined) out.set(e.data.runId, manifest);
  }
  return out;
}
