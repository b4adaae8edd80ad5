import { existsSync } from 'node:fs';
import { sameDigest, digestOf } from '../core/digest.js';
import { checkFailed, inputError } from '../core/errors.js';
import type { TraceEvent } from '../core/types/index.js';
import { runAgentLoop, type LoopResult } from '../agent/loop.js';
import { toolsFor } from '../agent/tools/definitions.js';
import { TraceWriter } from '../agent/trace.js';
import { copyFiles } from '../store/atomic-write.js';
import { treeDigest } from '../store/file-tree.js';
import { createClient, requireApiKey } from '../providers/anthropic-client.js';
import { runCommandAgent } from '../agent/command-agent.js';
import { simEndpoint } from '../providers/sim-provider.js';
import type { ProviderName } from './freeze-record.js';
import { requireSetProvider } from './frozen-set.js';
import { toolsDigestFor } from './manifest.js';
import { loadValidRun, type ValidRun } from './load-run.js';
import { requireProviderReady } from './open-run-set.js';
import { unfinishedAttemptHint } from './attempt-state.js';
import { failedAttemptReason } from './slot-state.js';
import { withSlotClaim } from './claims.js';
import { appendEntry } from '../store/registry.js';
import { runsDirFlag } from '../experiment/locate.js';
import type { ContextCache } from './experiment-context.js';

export interface ExecuteOptions {
  manifestFile: string;
  /** The provider the caller asked for; must be the run set's. */
  provider?: ProviderName;
  /** Experiments already loaded in this process (the scheduler reuses them). */
  contexts?: ContextCache;
}

/** What the agent loop reports, for one run of one provider. */
export type ExecuteResult = LoopResult & {
  runId: string;
  runDir: string;
  provider: ProviderName;
  /** The trace as written to agent.log, for the evaluation that follows in the same process. */
  trace: readonly TraceEvent[];
  /** Requests the provider refused with 429 (the scheduler lowers concurrency on these). */
  rateLimited: number;
};

const TOOL_LIMITS = { maxWriteBytes: 10 * 1024 * 1024, maxReadBytes: 1024 * 1024, commandTimeoutMs: 30_000, commandOutputBytes: 64 * 1024 };

// pin-and-run --execute: a validated manifest in, trace and outputs out.
export async function executeRun(options: ExecuteOptions): Promise<ExecuteResult> {
  const run = await loadValidRun(options.manifestFile, options.contexts ?? new Map());
  requireSetProvider(run.ctx.frozen, run.manifest.experiment.id, options.provider);
  await requireProviderReady(run.ctx);
  const execute = async () => {
    const result = await executeValidRun(run);
    if (result.infrastructureError !== undefined) await abandonFailedAttempt(run, result.infrastructureError);
    return result;
  };
  const { manifest } = run;
  return withSlotClaim(run.ctx.frozen.runsDir, { pairId: manifest.slot.pairId, task: manifest.task.id, variant: manifest.variant.id, adhoc: manifest.adhoc }, execute);
}

/**
 * By hand (pin-and-run), an attempt that failed for infrastructure reasons is given up at once:
 * registered as abandoned with its cause, so its slot can be pinned again (a slot with an
 * unfinished attempt cannot). `run` retries such an attempt instead, and registers it itself.
 */
export async function abandonFailedAttempt({ manifest, ctx }: ValidRun, cause: string): Promise<void> {
  await appendEntry(ctx.frozen.files.registry, manifest.experiment.id, 'abandoned', {
    runId: manifest.runId, slotIndex: manifest.slot.index, pairId: manifest.slot.pairId, task: manifest.task.id, variant: manifest.variant.id,
    reason: failedAttemptReason(`by hand, not retried: ${cause}`),
  });
}

// A run is executed once: the trace file is created exclusively before anything else happens.
export async function executeValidRun(run: ValidRun): Promise<ExecuteResult> {
  const { files, manifest, ctx: { exp } } = run;
  const apiKey = manifest.provider.name === 'anthropic' ? requireApiKey() : undefined;
  const { dir: runDir, outputs, trace: traceFile } = files;
  if (existsSync(traceFile) || existsSync(outputs)) {
    throw inputError(`${runDir} was already executed (agent.log or outputs/ exists); a run is never executed twice`, { hint: await executedHint(run) });
  }
  const trace = TraceWriter.create(traceFile);
  const base = { runId: manifest.runId, runDir, provider: manifest.provider.name, trace: trace.events };
  try {
    const task = exp.tasks.find((t) => t.id === manifest.task.id)!;
    const variant = exp.variants.find((v) => v.id === manifest.variant.id)!;
    copyFiles(task.workspaceDir, outputs, task.workspaceFiles.map((f) => f.path));
    const copied = await treeDigest(outputs);
    if (!sameDigest(copied, manifest.task.workspaceDigest)) throw checkFailed(`the fixture copied into ${outputs} does not match the pinned workspace digest`, { hint: `the task's workspace changed while it was copied (or its files cannot be read the same twice); \`harness validate-manifest ${files.manifest}\` names what changed` });
    const tools = toolsFor(task.spec);
    trace.write({
      type: 'run_start', runId: manifest.runId, provider: manifest.provider.name, model: manifest.provider.model,
      tools: tools.map((t) => t.name), systemDigest: digestOf(variant.prompt), toolsDigest: toolsDigestFor(task), workspaceDigest: copied,
    });
    if (manifest.provider.name === 'command') {
      const command = exp.config.provider.command!;
      const r = await runCommandAgent({
        argv: command.argv, experimentDir: exp.location.dir, network: command.network ?? false, passEnv: command.env ?? [],
        workspace: outputs, sandbox: manifest.sandbox.mode, system: variant.prompt, instruction: task.spec.instruction,
        model: manifest.provider.model, seed: manifest.seed, tools: task.spec.tools, wallTimeSeconds: manifest.limits.wallTimeSeconds, trace,
      });
      const usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
      trace.write({ type: 'run_end', stopReason: r.stopReason, turns: 0, toolCalls: 0, usage, wallTimeMs: r.wallTimeMs });
      return { ...base, stopReason: r.stopReason, turns: 0, toolCalls: 0, usage, wallTimeMs: r.wallTimeMs, infrastructureError: r.infrastructureError, rateLimited: 0 };
    }
    const endpoint = manifest.provider.name === 'sim'
      ? await simEndpoint({
        script: task.spec.simulator, behaviour: exp.resolved.simulator.behaviour[variant.id]!, seed: manifest.seed, model: manifest.provider.model,
        faults: exp.resolved.simulator.faults, latencyMs: exp.resolved.simulator.latencyMs, slowMs: SIM_SLOW_MS, runAttempt: manifest.slot.attempt,
      })
      : { apiKey: apiKey!, baseURL: manifest.provider.baseUrl, fetch: undefined, release: () => Promise.resolve() };
    let rateLimited = 0;
    const client = createClient({
      apiKey: endpoint.apiKey, baseURL: endpoint.baseURL, fetch: endpoint.fetch, maxRetries: 4,
      timeoutMs: manifest.provider.name === 'sim' ? SIM_TIMEOUT_MS : 600_000,
      onRetry: (n) => {
        if (n.status === 429) rateLimited++;
        trace.write({ type: 'retry', turn: null, attempt: n.attempt, cause: n.cause, status: n.status, delayMs: n.delayMs });
      },
    });
    try {
      const r = await runAgentLoop({
        client, system: variant.prompt, tools, instruction: task.spec.instruction, requestParams: manifest.provider.requestParams,
        limits: manifest.limits, trace,
        toolContext: {
          workspace: outputs, allowed: task.spec.tools, sandbox: manifest.sandbox.mode, clarification: task.spec.clarification?.answer,
          limits: { ...TOOL_LIMITS, commandTimeoutMs: (task.spec.limits?.commandTimeoutSeconds ?? TOOL_LIMITS.commandTimeoutMs / 1000) * 1000 },
        },
      });
      return { ...base, ...r, rateLimited };
    } finally {
      await endpoint.release();
    }
  } finally {
    trace.close();
  }
}

// What to do with a run that was executed already: finish it (or give it up, when its execution
// failed), or (locked) redo it by rerun, which keeps the old one; an ad hoc run is never redone,
// only pinned anew.
async function executedHint(run: ValidRun): Promise<string> {
  const { files, manifest, ctx } = run;
  if (!existsSync(files.lock)) return unfinishedAttemptHint(run);
  if (manifest.adhoc) return 'it is locked; an ad hoc run is not redone: pin another with `harness pin-and-run --init --adhoc …`';
  return `it is locked; to redo it: \`harness rerun ${manifest.runId}${runsDirFlag(ctx.frozen.runsDir)} --reason "…"\` (the old run is kept and marked superseded)`;
}

// The simulator answers in milliseconds, so a short client timeout keeps its injected
// "slow response" faults (held for SIM_SLOW_MS) cheap while still exercising the timeout path.
const SIM_TIMEOUT_MS = 3000;
const SIM_SLOW_MS = 4500;
