import type { RegistryEntry } from '../core/types/index.js';
import { loadExperiment, requireRunnableAgent } from '../experiment/load-experiment.js';
import { anthropicBaseUrl, requireApiKey } from '../providers/anthropic-client.js';
import { readEntries } from '../store/registry.js';
import { loadFrozenSet, requireSetProvider, requireUnchangedInputs } from './frozen-set.js';
import type { ProviderName } from './freeze-record.js';
import { environmentPins } from './provenance.js';
import type { ExperimentContext } from './experiment-context.js';

// Every command that makes runs starts the same way: the experiment as it is on disk, its frozen
// run set, proof that nothing changed since freezing, and (to execute with Claude) an API key.
// The environment pins every manifest records are gathered meanwhile (git runs in a child process).
// `provider`: the one the caller asked for, which must be the run set's.
export async function openRunSet(experiment: string, runsDir: string | undefined, purpose: 'pin' | 'execute', provider?: ProviderName): Promise<ExperimentContext> {
  void environmentPins();
  const exp = await loadExperiment(experiment, { runsRoot: runsDir });
  const frozen = loadFrozenSet(exp.location.runsDir, exp.config.id, provider);
  requireUnchangedInputs(exp, frozen);
  requireSetProvider(frozen, exp.config.id, provider);
  // Refused (exit 2) before anything is written: no key, an address that is none, a program that cannot start.
  if (purpose === 'execute' && frozen.record.provider === 'anthropic') {
    requireApiKey();
    anthropicBaseUrl();
  }
  if (purpose === 'execute' && frozen.record.provider === 'command') requireRunnableAgent(exp);
  return { exp, frozen };
}

/**
 * A run set as it is, for commands that read it (status, analyze, audit, exclude): the experiment,
 * its frozen set and the registry's entries. Inputs changed since freezing are not refused here:
 * status shows the set as it is and the audit reports them; analyze and exclude, which act on the
 * pre-registration, refuse them (requireUnchangedInputs).
 */
export async function readRunSet(experiment: string, runsDir: string | undefined): Promise<ExperimentContext & { entries: RegistryEntry[] }> {
  const exp = await loadExperiment(experiment, { runsRoot: runsDir });
  const frozen = loadFrozenSet(exp.location.runsDir, exp.config.id);
  return { exp, frozen, entries: await readEntries(frozen.files.registry) };
}
