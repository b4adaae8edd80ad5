import type { Behaviour, ExperimentConfig, Limits, TaskSpec } from '../core/types/index.js';

export type FaultKind = 'rate_limit' | 'overloaded' | 'server_error' | 'timeout' | 'malformed';

/** The experiment config with every default filled in: code past loading reads only this. */
export interface ResolvedConfig {
  config: ExperimentConfig;
  maxAttempts: number;
  simulator: {
    behaviour: Record<string, Required<Behaviour>>;
    faults: { rate: number; kinds: FaultKind[] };
    latencyMs: number;
  };
}

const DEFAULT_BEHAVIOUR: Required<Behaviour> = { skip: 0, mistake: 0, clarify: 1, giveUp: 0, wander: 0, verbosity: 1 };
const ALL_FAULTS: FaultKind[] = ['rate_limit', 'overloaded', 'server_error', 'timeout', 'malformed'];

// Defaults live here and only here (not in ajv useDefaults), so the file as written is what is digested.
export function resolveConfig(config: ExperimentConfig): ResolvedConfig {
  const behaviour: Record<string, Required<Behaviour>> = {};
  for (const variant of config.variants) {
    behaviour[variant] = { ...DEFAULT_BEHAVIOUR, ...(config.simulator?.behaviour?.[variant] ?? {}) };
  }
  return {
    config,
    maxAttempts: config.retries?.maxAttempts ?? 3,
    simulator: {
      behaviour,
      faults: { rate: config.simulator?.faults?.rate ?? 0, kinds: config.simulator?.faults?.kinds ?? ALL_FAULTS },
      latencyMs: config.simulator?.latencyMs ?? 0,
    },
  };
}

/** A task's limits: its own overrides on top of the experiment's. */
export function taskLimits(config: ExperimentConfig, task: TaskSpec): Limits {
  return {
    maxTurns: task.limits?.maxTurns ?? config.limits.maxTurns,
    maxOutputTokens: task.limits?.maxOutputTokens ?? config.limits.maxOutputTokens,
    wallTimeSeconds: task.limits?.wallTimeSeconds ?? config.limits.wallTimeSeconds,
  };
}
