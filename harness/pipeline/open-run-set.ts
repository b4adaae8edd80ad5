import type { RegistryEntry } from '../core/types/index.js';
import { loadExperiment, requireAgentEnvironment, requireRunnableAgent } from '../experiment/load-experiment.js';
import { anthropicBaseUrl, requireApiKey } from '../providers/anthropic-client.js';
import { requireExternalSimulator } from '../providers/sim-provider.js';
import { readEntries, tornTail } from '../store/registry-read.js';
import { verifyRegistryChain } from '../store/registry-verify.js';
import { checkFailed, inputError } from '../core/errors.js';
import { runsDirFlag } from '../experiment/locate.js';
import { finishDeviationHint, loadFrozenSet, requireSetProvider, requireUnchangedInputs, unregisteredFreeze, type FrozenSet } from './frozen-set.js';
import type { ProviderName } from './freeze-record.js';
import { environmentPins } from './provenance.js';
import type { ExperimentContext } from './experiment-context.js';

// Every command that makes runs starts the same way: the experiment as it is on disk, its frozen
// run set, proof that nothing changed since freezing, and (to execute) a provider ready to answer.
// The environment pins every manifest records are gathered meanwhile (git runs in a child process).
// `provider`: the one the caller asked for, which must be the run set's.
export async function openRunSet(experiment: string, runsDir: string | undefined, purpose: 'pin' | 'execute', provider?: ProviderName): Promise<ExperimentContext> {
  void environmentPins();
  const exp = await loadExperiment(experiment, { runsRoot: runsDir });
  const frozen = loadFrozenSet(exp.location.runsDir, exp.config.id, provider);
  requireUnchangedInputs(exp, frozen);
  requireSetProvider(frozen, exp.config.id, provider);
  await requireIntactRegistry(exp.config.id, frozen);
  if (purpose === 'execute') await requireProviderReady({ exp, frozen });
  return { exp, frozen };
}

/**
 * Refuses (exit 2), before a run folder is made or an agent started, what would make every run
 * fail the same way: no API key or an address that is none (anthropic); an agent program that
 * cannot start, or a variable it is to be given that is not set (command); no simulator answering
 * at HARNESS_SIM_URL (sim).
 */
export async function requireProviderReady({ exp, frozen }: ExperimentContext): Promise<void> {
  switch (frozen.record.provider) {
    case 'anthropic':
      requireApiKey();
      anthropicBaseUrl();
      return;
    case 'command':
      requireRunnableAgent(exp);
      return requireAgentEnvironment(exp);
    case 'sim':
      return requireExternalSimulator();
  }
}

/**
 * Refuses (exit 1) to add to a registry whose hash chain is broken: an entry appended to it would
 * chain onto the damage and hide where it is; and (exit 2) to add to a set whose freeze record a
 * stopped `freeze --deviation` wrote and never registered. For the commands that append (run, rerun, the
 * by-hand stages, exclude); those that only read report it (verify, the audit) or refuse (analyze).
 */
export async function requireIntactRegistry(experiment: string, frozen: FrozenSet): Promise<void> {
  const { entries, problems, cutOff } = await verifyRegistryChain(frozen.files.registry);
  // A last line cut off by a crash is refused on its own, with how to cut it off (exit 2).
  if (cutOff !== undefined) throw tornTail(frozen.files.registry, cutOff);
  if (problems.length === 0) return requireRegisteredFreeze(experiment, frozen, entries);
  throw checkFailed(`the registry of ${experiment} is broken, so nothing is added to it`, {
    problems,
    hint: `restore ${frozen.files.registry} from a backup; \`harness verify ${experiment}${runsDirFlag(frozen.runsDir)}\` lists every problem`,
  });
}

/**
 * Refuses (exit 2) to add to a set whose freeze record a stopped `freeze --deviation` wrote and never
 * registered: what is added now (runs, an analysis) would be registered before the freeze it was made under.
 */
export function requireRegisteredFreeze(experiment: string, frozen: FrozenSet, entries: readonly RegistryEntry[]): void {
  if (unregisteredFreeze(frozen.record, entries) === undefined) return;
  throw inputError(`${frozen.files.freezeRecord} is a freeze the registry never recorded: a \`freeze --deviation\` was stopped before registering it`, { hint: finishDeviationHint(experiment, frozen) });
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
