import { loadExperiment } from '../experiment/load-experiment.js';
import { requireApiKey } from './execute-run.js';
import { loadFrozenSet, requireUnchangedInputs } from './frozen-set.js';
import { environmentPins } from './provenance.js';
import type { ExperimentContext } from './validate-manifest.js';

// Every command that makes runs starts the same way: the experiment as it is on disk, its frozen
// run set, proof that nothing changed since freezing, and (to execute with Claude) an API key.
// The environment pins every manifest records are gathered meanwhile (git runs in a child process).
export async function openRunSet(experiment: string, runsDir: string | undefined, purpose: 'pin' | 'execute'): Promise<ExperimentContext> {
  void environmentPins();
  const exp = await loadExperiment(experiment, { runsRoot: runsDir });
  const frozen = loadFrozenSet(exp.location.runsDir, exp.config.id);
  requireUnchangedInputs(exp, frozen);
  if (purpose === 'execute' && frozen.record.provider === 'anthropic') requireApiKey();
  return { exp, frozen };
}
