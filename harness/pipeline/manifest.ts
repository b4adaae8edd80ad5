import { jsonDigest, withSelfDigest, type Digest } from '../core/digest.js';
import type { Manifest, ScheduleSlot } from '../core/types/index.js';
import { toolsFor } from '../agent/tools/definitions.js';
import { EVALUATOR_VERSION, PRICE_TABLE_DIGEST } from '../evaluation/price-table.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import type { LoadedTask } from '../experiment/load-task.js';
import { projectPath } from '../experiment/locate.js';
import { taskLimits } from '../experiment/resolve-config.js';
import type { FrozenSet } from './frozen-set.js';
import { anthropicBaseUrl } from '../providers/anthropic-client.js';
import type { SandboxMode } from '../sandbox/run.js';
import { ANTHROPIC_API_VERSION, sdkVersion } from './provenance.js';

export interface RunSlot {
  /** The scheduled slot, or undefined for an ad-hoc run. */
  scheduled: ScheduleSlot | undefined;
  task: string;
  variant: string;
  pairId: string;
  seed: number;
  attempt: number;
}

/** Every request parameter but messages, system and tools, exactly as the provider sends it. */
function requestParamsFor(exp: LoadedExperiment): Record<string, unknown> {
  return { model: exp.config.model.id, max_tokens: exp.config.model.maxTokens, ...(exp.config.model.params ?? {}) };
}

const toolsDigests = new WeakMap<LoadedTask, Digest>();

/** The digest of the tool definitions a variant is offered for a task (computed once per task). */
export function toolsDigestFor(task: LoadedTask): Digest {
  let digest = toolsDigests.get(task);
  if (digest === undefined) {
    digest = jsonDigest(toolsFor(task.spec));
    toolsDigests.set(task, digest);
  }
  return digest;
}

// Everything that determines a run, pinned by digest; the manifest's own digest covers the rest.
// `environment`: provenance.ts's environmentPins().
export function buildManifest(
  exp: LoadedExperiment, frozen: FrozenSet, slot: RunSlot, runId: string,
  sandbox: { mode: SandboxMode; version?: string }, environment: Manifest['environment'], now: Date,
): Manifest {
  const task = exp.tasks.find((t) => t.id === slot.task)!;
  const variant = exp.variants.find((v) => v.id === slot.variant)!;
  const provider = frozen.record.provider;
  const command = exp.config.provider.command;
  return withSelfDigest({
    schemaVersion: 1 as const,
    runId,
    createdAt: now.toISOString(),
    adhoc: slot.scheduled === undefined,
    experiment: {
      id: exp.config.id,
      path: projectPath(exp.location.dir),
      runsPath: projectPath(frozen.runsDir),
      configDigest: exp.configDigest,
      preregistrationDigest: exp.preregistrationDigest,
      scheduleDigest: frozen.record.schedule.digest,
      freezeDigest: frozen.record.digest,
    },
    slot: {
      index: slot.scheduled?.index ?? null,
      pairId: slot.pairId,
      position: slot.scheduled?.position ?? null,
      attempt: slot.attempt,
    },
    task: { id: task.id, specDigest: task.specDigest, workspaceDigest: task.workspaceDigest },
    variant: { id: variant.id, promptDigest: variant.digest, toolsDigest: toolsDigestFor(task) },
    seed: slot.seed,
    provider: {
      name: provider,
      model: exp.config.model.id,
      requestParams: requestParamsFor(exp),
      sdkVersion: sdkVersion(),
      apiVersion: ANTHROPIC_API_VERSION,
      ...(provider === 'anthropic' ? { baseUrl: anthropicBaseUrl() } : {}),
      ...(provider === 'command' && command ? { command: { argv: command.argv, network: command.network ?? false, programDigest: exp.agent?.digest ?? null } } : {}),
    },
    sandbox: sandbox.version === undefined ? { mode: sandbox.mode } : { mode: sandbox.mode, version: sandbox.version },
    limits: taskLimits(exp.config, task.spec),
    environment,
    evaluator: { version: EVALUATOR_VERSION, priceTableDigest: PRICE_TABLE_DIGEST },
  });
}

/** Whether a manifest pins `slot` of the frozen schedule exactly: its index, pair, task, variant, seed and position. */
export function pinsSlot(m: Manifest, slot: ScheduleSlot | undefined): boolean {
  return slot !== undefined && m.slot.index === slot.index && m.slot.pairId === slot.pairId && m.task.id === slot.task
    && m.variant.id === slot.variant && m.seed === slot.seed && m.slot.position === slot.position;
}

/** The scheduled slot a manifest names by index (undefined for an ad hoc run or an index not in the schedule). */
export const slotOf = (m: Manifest, slots: readonly ScheduleSlot[]): ScheduleSlot | undefined => (m.slot.index === null ? undefined : slots[m.slot.index]);

/** Whether a run of this task could start a program (and so needs the sandbox). */
export function needsCommands(provider: Manifest['provider']['name'], task: LoadedTask): boolean {
  return provider === 'command'
    || task.spec.tools.includes('run_command')
    || task.spec.checks.some((c) => c.kind === 'command');
}
