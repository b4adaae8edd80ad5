import { loadExperiment, type LoadedExperiment } from '../experiment/load-experiment.js';
import { requireApiKey } from './execute-run.js';
import { loadFrozenSet, requireUnchangedInputs, type FrozenSet } from './frozen-set.js';

// Every command that makes runs starts the same way: the experiment as it is on disk, its frozen
// run set, proof that nothing changed since freezing, and (to execute with Claude) an API key.
export async function openRunSet(experiment: string, runsDir: string | undefined, purpose: 'pin' | 'execute'): Promise<{ exp: LoadedExperiment; frozen: FrozenSet }> {
  const exp = await loadExperiment(experiment, { runsRoot: runsDir });
  const frozen = loadFrozenSet(exp.location.runsDir, exp.config.id);
  requireUnchangedInputs(exp, frozen);
  if (purpose === 'execute' && frozen.record.provider === 'anthropic') requireApiKey();
  return { exp, frozen };
}
