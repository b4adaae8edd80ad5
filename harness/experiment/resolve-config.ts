import type { Behaviour, ExperimentConfig, FaultKind, Limits, TaskSpec } from '../core/types/index.js';

/** The defaults of the experiment config's optional settings (retries, simulator), filled in. */
export interface ResolvedConfig {
  maxAttempts: number;
  simulator: {
    behaviour: Record<string, Required<Behaviour>>;
    faults: { rate: number; kinds: FaultKind[] };
    latencyMs: number;
  };
}

const DEFAULT_BEHAVIOUR: Required<Behaviour> = { skip: 0, mistake: 0, clarify: 1, giveUp: 0, wander: 0, verbosity: 1 };
// Every kind, checked against the schema's list by the type: a kind added there must be added here.
const EVERY_FAULT: Record<FaultKind, true> = { rate_limit: true, overloaded: true, server_error: true, timeout: true, malformed: true };
const ALL_FAULTS = Object.keys(EVERY_FAULT) as FaultKind[];

// Defaults are filled in code, never by ajv useDefaults, so the file as written is what is digested.
// Here: the experiment's retries and simulator settings (and, in taskLimits, a task's limits).
// Other optional fields take their default where they are read, such as provider.command.network
// (pipeline/manifest.ts, pipeline/execute-run.ts), a check's required and constraint
// (evaluation/checks.ts) and the preregistered secondary sidedness (analysis/secondary.ts).
export function resolveConfig(config: ExperimentConfig): ResolvedConfig {
  const behaviour: Record<string, Required<Behaviour>> = {};
  for (const variant of config.variants) {
    behaviour[variant] = { ...DEFAULT_BEHAVIOUR, ...(config.simulator?.behaviour?.[variant] ?? {}) };
  }
  return {
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
