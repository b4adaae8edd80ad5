import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ofType } from '../core/entries.js';
import { inputError } from '../core/errors.js';
import { runIdFor } from '../core/schedule.js';
import type { Manifest, RegistryEntry, ScheduleSlot } from '../core/types/index.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import { runsDirFlag } from '../experiment/locate.js';
import type { SandboxMode } from '../sandbox/run.js';
import { writeJsonUnsynced } from '../store/atomic-write.js';
import { appendEntry } from '../store/registry.js';
import { readEntries } from '../store/registry-read.js';
import { currentRuns, slotKey } from './current-runs.js';
import type { FrozenSet } from './frozen-set.js';
import { buildManifest, type RunSlot } from './manifest.js';
import { environmentPins } from './provenance.js';
import { closedRunIds } from './slot-state.js';
import { unfinishedAttemptHint } from './attempt-state.js';
import { loadValidRun, runFiles } from './load-run.js';
import { contextsOf, type ExperimentContext } from './experiment-context.js';

export interface SlotRequest {
  task: string;
  variant: string;
  pairId: string;
  seed: number;
  adhoc: boolean;
}

export interface InitializedRun {
  runId: string;
  runDir: string;
  manifestFile: string;
  manifest: Manifest;
  /** Settles when the `pinned` registry entry is written. */
  registered: Promise<RegistryEntry>;
}

/** The scheduled slot a request names, or a refusal that says which pin disagrees. */
function findSlot(exp: LoadedExperiment, frozen: FrozenSet, req: SlotRequest): ScheduleSlot | undefined {
  if (!exp.config.tasks.includes(req.task)) throw inputError(`unknown task "${req.task}"`, { hint: `tasks of ${exp.config.id}: ${exp.config.tasks.join(', ')}` });
  if (!exp.config.variants.includes(req.variant)) throw inputError(`unknown variant "${req.variant}"`, { hint: `variants of ${exp.config.id}: ${exp.config.variants.join(', ')}` });
  const slot = frozen.schedule.slots.find((s) => s.task === req.task && s.variant === req.variant && s.pairId === req.pairId);
  if (slot !== undefined && slot.seed === req.seed) {
    if (req.adhoc) throw inputError(`--adhoc, but ${req.pairId} of ${req.task} for ${req.variant} with seed ${req.seed} is a slot of the frozen schedule`, { hint: 'drop --adhoc to pin the scheduled slot, or give an ad hoc run a label of its own (--pair-id try-1) or another seed' });
    return slot;
  }
  if (req.adhoc) {
    // An ad hoc run is named by its pair id (a label of the user's choosing), so it must fit a run id.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(req.pairId)) throw inputError(`--pair-id "${req.pairId}" cannot name an ad hoc run`, { hint: 'use letters, digits, ".", "_" and "-", starting with a letter or digit, e.g. --pair-id try-1' });
    return undefined;
  }
  const why = slot !== undefined
    ? `${req.pairId} of ${req.task} has seed ${slot.seed} in the schedule, not ${req.seed}`
    : `the schedule has no ${req.pairId} for ${req.task}`;
  throw inputError(`not a slot of the frozen schedule: ${why}`, {
    hint: `pick a slot from ${frozen.files.schedule}, or pass --adhoc for a run outside the experiment (never analysed)`,
  });
}

// The run folder appears complete (manifest inside) or not at all, and never twice: its name
// carries the attempt number and the rename that creates it fails if it exists, so two processes
// cannot create the same run. Then the pin is registered: the entry is queued at once (so pins keep
// their order in the registry) and `registered` settles when it is on disk, which a caller may
// await later (the scheduler runs the agent meanwhile, and awaits it before registering anything
// else of the run).
export async function initRun(
  exp: LoadedExperiment, frozen: FrozenSet, req: SlotRequest,
  options: { sandbox: { mode: SandboxMode; version?: string }; attempt?: number },
): Promise<InitializedRun> {
  const scheduled = findSlot(exp, frozen, req);
  const attempt = options.attempt ?? (await nextAttempt({ exp, frozen }, req, scheduled));
  const now = new Date();
  const runId = scheduled !== undefined
    ? runIdFor(scheduled, attempt)
    : `adhoc-${req.pairId}-${req.task}-${req.variant}-s${req.seed}-${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
  // Always inside the run set, where verify and the audit look for a run the registry names.
  const runDir = path.join(frozen.runsDir, runId);
  const slot: RunSlot = { scheduled, task: req.task, variant: req.variant, pairId: req.pairId, seed: req.seed, attempt };
  const manifest = buildManifest(exp, frozen, slot, runId, options.sandbox, await environmentPins(), now);
  createRunDir(runDir, manifest);
  const registered = appendEntry(frozen.files.registry, exp.config.id, 'pinned', {
    runId, slotIndex: manifest.slot.index, pairId: req.pairId, variant: req.variant, task: req.task,
    attempt, manifestDigest: manifest.digest, adhoc: manifest.adhoc,
  });
  // Awaited by the caller; this only keeps a failure before then from going unhandled.
  registered.catch(() => undefined);
  return { runId, runDir, manifestFile: runFiles(runDir).manifest, manifest, registered };
}

// A slot pinned by hand (pin-and-run) gets its next attempt, unless a locked run already stands for
// it: a result is redone only by `rerun`, which records why and marks the old run superseded.
async function nextAttempt({ exp, frozen }: ExperimentContext, req: SlotRequest, scheduled: ScheduleSlot | undefined): Promise<number> {
  const entries = await readEntries(frozen.files.registry);
  const standing = scheduled === undefined ? undefined : currentRuns(entries).get(slotKey(scheduled.pairId, scheduled.variant));
  if (standing !== undefined) {
    throw inputError(`${standing.data.pairId} of ${standing.data.task} for ${standing.data.variant} already has a locked result, ${standing.data.runId}`, {
      hint: `to redo it, run \`harness rerun ${standing.data.runId}${runsDirFlag(frozen.runsDir)} --reason "…"\` (the old run is kept and marked superseded)`,
    });
  }
  // A scheduled slot's attempts, or an ad hoc label's: the two never count each other's pins.
  const adhoc = scheduled === undefined;
  const pinned = ofType(entries, 'pinned').filter((e) => e.data.adhoc === adhoc && e.data.pairId === req.pairId && e.data.task === req.task && e.data.variant === req.variant);
  const latest = pinned.at(-1)?.data.runId;
  // An attempt neither locked nor given up (abandoned, retried) is still open: another beside it
  // would leave it pinned forever, never registered as abandoned.
  if (!adhoc && latest !== undefined && !closedRunIds(entries).has(latest)) {
    // Checked against the experiment loaded already, not loaded a second time.
    const open = await loadValidRun(runFiles(path.join(frozen.runsDir, latest)).manifest, contextsOf({ exp, frozen })).catch(() => undefined);
    throw inputError(`${req.pairId} of ${req.task} for ${req.variant} has an unfinished attempt, ${latest}`, {
      hint: open === undefined ? `\`harness run ${frozen.record.experiment}${runsDirFlag(frozen.runsDir)} --only pair=${req.pairId},variant=${req.variant}\` gives it up and runs the slot` : await unfinishedAttemptHint(open),
    });
  }
  return pinned.length + 1;
}

// The folder is assembled under a private name and renamed into place: rename(2) moves it without
// allocating or deleting an inode, and fails on a non-empty target; the check before it refuses an
// existing (even empty) one. The manifest becomes durable with the rest of the run at lock time.
function createRunDir(runDir: string, manifest: Manifest): void {
  if (existsSync(runDir)) {
    throw inputError(`${runDir} already exists; a run folder is never reused`, {
      hint: manifest.adhoc
        ? 'an ad hoc run id carries the second it was pinned in: pin it again a second later'
        : `its pin was cut off before it was registered (a crash?): \`harness run ${manifest.experiment.id}${runsDirFlag(path.dirname(runDir))}\` registers that attempt as abandoned and pins the next one`,
    });
  }
  mkdirSync(path.dirname(runDir), { recursive: true });
  const staging = path.join(path.dirname(runDir), `.${path.basename(runDir)}.staging-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    writeJsonUnsynced(path.join(staging, 'manifest.json'), manifest);
    renameNew(staging, runDir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

function renameNew(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw inputError(`${to} already exists; a run folder is never reused`, { hint: 'another process pinned this attempt; run again' });
    throw err;
  }
}
