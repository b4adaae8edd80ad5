import type { LoadedExperiment } from '../experiment/load-experiment.js';
import { evaluateValidRun } from './evaluate-run.js';
import { executeValidRun, type ExecuteResult } from './execute-run.js';
import type { FrozenSet } from './frozen-set.js';
import { initRun, type SlotRequest } from './init-run.js';
import { loadValidRun, type ValidRun } from './load-run.js';
import { lockValidRun } from './lock-run.js';
import type { SandboxMode } from './manifest.js';
import type { ExperimentContext } from './validate-manifest.js';

export type SlotStage = 'init' | 'execute' | 'evaluate' | 'lock';

export interface SlotOutcome {
  runId: string;
  runDir: string;
  attempt: number;
  /** The last stage completed: `lock` for a finished run. */
  stage: SlotStage;
  execution: ExecuteResult;
  success: boolean | null;
  /** Why the run did not reach evaluation: the provider failed, not the model. */
  infrastructureError: string | undefined;
}

// One slot through every stage: pin, validate (the first thing execute does), execute, evaluate,
// lock. A run that failed for infrastructure reasons stops after execute and stays unlocked: it is
// an attempt, not a result. `onExecuted` is called once the agent is done (whatever the outcome):
// the scheduler frees the slot's place among the -j concurrent agents there, while the local
// stages (evaluate, lock) finish.
export async function runSlot(
  exp: LoadedExperiment, frozen: FrozenSet, req: SlotRequest,
  options: {
    sandbox: { mode: SandboxMode; version?: string }; attempt?: number; output?: string; contexts: Map<string, Promise<ExperimentContext>>;
    onExecuted?: () => void;
  },
): Promise<SlotOutcome> {
  const run = await initRun(exp, frozen, req, { sandbox: options.sandbox, attempt: options.attempt, output: options.output });
  const base = { runId: run.runId, runDir: run.runDir, attempt: run.manifest.slot.attempt };
  // Validated once, as every stage run by hand validates it; the stages then hand on what they made.
  let execution: ExecuteResult;
  let valid: ValidRun;
  try {
    valid = await loadValidRun(run.manifestFile, options.contexts);
    execution = await executeValidRun(valid);
  } finally {
    options.onExecuted?.();
  }
  // The pin was registered while the agent ran; nothing else of the run is registered before it.
  await run.registered;
  if (execution.infrastructureError !== undefined) {
    return { ...base, stage: 'execute', execution, success: null, infrastructureError: execution.infrastructureError };
  }
  const { scorecard } = await evaluateValidRun(valid, { trace: execution.trace });
  const locked = await lockValidRun(valid, { scorecard });
  return { ...base, stage: 'lock', execution, success: locked.success, infrastructureError: undefined };
}
