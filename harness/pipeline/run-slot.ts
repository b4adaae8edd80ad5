import type { Scorecard } from '../core/types/index.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import type { SandboxMode } from '../sandbox/run.js';
import { evaluateValidRun } from './evaluate-run.js';
import { executeValidRun, type ExecuteResult } from './execute-run.js';
import type { FrozenSet } from './frozen-set.js';
import { giveWay } from './give-way.js';
import { initRun, type InitializedRun, type SlotRequest } from './init-run.js';
import { loadValidRun, type ValidRun } from './load-run.js';
import { lockValidRun } from './lock-run.js';
import type { ContextCache } from './experiment-context.js';

export type SlotStage = 'init' | 'execute' | 'evaluate' | 'lock';

export interface SlotOutcome {
  runId: string;
  runDir: string;
  attempt: number;
  /** The last stage completed: `lock` for a finished run. */
  stage: SlotStage;
  /** What the agent loop reported (the trace itself is let go after evaluation). */
  execution: Omit<ExecuteResult, 'trace'>;
  success: boolean | null;
  /** Why the run did not reach evaluation: the provider failed, not the model. */
  infrastructureError: string | undefined;
}

/** A slot's new attempt, pinned and validated: what execution starts from. */
export interface PinnedSlot {
  run: InitializedRun;
  valid: ValidRun;
}

// Pin (the run folder and its manifest; the `pinned` entry is written meanwhile) and validate
// once, as every stage run by hand validates it; the later stages take what the earlier made.
export async function pinSlot(
  exp: LoadedExperiment, frozen: FrozenSet, req: SlotRequest,
  options: { sandbox: { mode: SandboxMode; version?: string }; attempt?: number; contexts: ContextCache },
): Promise<PinnedSlot> {
  const run = await initRun(exp, frozen, req, { sandbox: options.sandbox, attempt: options.attempt });
  return { run, valid: await loadValidRun(run.manifestFile, options.contexts) };
}

// A pinned slot through execute, evaluate and lock. A run that failed for infrastructure reasons
// stops after execute and stays unlocked: it is an attempt, not a result. `onExecuted` is called
// once the agent is done (whatever the outcome): the scheduler frees the slot's place among the
// -j concurrent agents there, while the local stages (evaluate, lock) finish; each of those gives
// way first to the agents still running (give-way.ts).
export async function finishSlot(pinned: PinnedSlot, options: { onExecuted?: () => void } = {}): Promise<SlotOutcome> {
  const { run, valid } = pinned;
  const base = { runId: run.runId, runDir: run.runDir, attempt: run.manifest.slot.attempt };
  const { execution, scorecard } = await executeAndEvaluate(pinned, options.onExecuted);
  if (scorecard === undefined) {
    return { ...base, stage: 'execute', execution, success: null, infrastructureError: execution.infrastructureError };
  }
  await giveWay();
  const locked = await lockValidRun(valid, { scorecard });
  return { ...base, stage: 'lock', execution, success: locked.success, infrastructureError: undefined };
}

// The trace stays in this function: a run waiting for its lock (the scheduler may hold many) keeps
// only its manifest and scorecard in memory.
async function executeAndEvaluate({ run, valid }: PinnedSlot, onExecuted: (() => void) | undefined): Promise<{ execution: SlotOutcome['execution']; scorecard?: Scorecard }> {
  let result: ExecuteResult;
  try {
    result = await executeValidRun(valid);
  } finally {
    onExecuted?.();
  }
  // The pin was registered while the agent ran; nothing else of the run is registered before it.
  await run.registered;
  const { trace, ...execution } = result;
  if (execution.infrastructureError !== undefined) return { execution };
  await giveWay();
  const { scorecard } = await evaluateValidRun(valid, { trace });
  return { execution, scorecard };
}
