import type { Digest } from '../core/digest.js';
import { loadExperiment, requireRunnableAgent } from '../experiment/load-experiment.js';
import { runSetFiles } from '../experiment/locate.js';
import { freezeExperiment } from '../pipeline/freeze.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import { whoAmI } from '../pipeline/provenance.js';

export interface FreezeOptions {
  experiment: string;
  runsDir?: string;
  /** Overrides the config's provider for this run set. */
  provider?: ProviderName;
  /** Accept changed inputs as a recorded deviation, with this reason. */
  deviation?: string;
  /** A pilot set: one pair per task, kept apart from the confirmatory set by its runs folder. */
  pilot?: boolean;
}

export interface FreezeResult {
  experiment: string;
  action: 'created' | 'unchanged' | 'deviation-recorded';
  runsDir: string;
  freezeRecord: string;
  schedule: string;
  registry: string;
  slots: number;
  pilot: boolean;
  provider: ProviderName;
  freezeDigest: Digest;
  changes: { what: string; file: string; frozen: string; now: string }[];
  /** The schedule a stopped `freeze --deviation` had replaced was put back before freezing. */
  scheduleRestored: boolean;
}

export async function freeze(options: FreezeOptions): Promise<FreezeResult> {
  const exp = await loadExperiment(options.experiment, { runsRoot: options.runsDir });
  const provider = options.provider ?? exp.config.provider.name;
  if (provider === 'command') requireRunnableAgent(exp);
  const { plan, scheduleRestored } = await freezeExperiment(exp, provider, options.deviation, options.pilot ?? false, whoAmI());
  const files = runSetFiles(exp.location.runsDir);
  return {
    experiment: exp.config.id,
    action: plan.action === 'create' ? 'created' : plan.action === 'unchanged' ? 'unchanged' : 'deviation-recorded',
    runsDir: exp.location.runsDir,
    freezeRecord: files.freezeRecord,
    schedule: files.schedule,
    registry: files.registry,
    slots: plan.schedule.slots.length,
    pilot: plan.record.pilot,
    provider: plan.record.provider,
    freezeDigest: plan.record.digest,
    changes: plan.action === 'deviate' || plan.action === 'register' ? plan.changes : [],
    scheduleRestored,
  };
}
