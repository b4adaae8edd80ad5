import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { sameDigest } from '../core/digest.js';
import { checkFailed, inputError } from '../core/errors.js';
import type { FreezeRecord, Schedule } from '../core/types/index.js';
import { invalid, type LoadedExperiment } from '../experiment/load-experiment.js';
import { runSetFiles, runsDirFlag } from '../experiment/locate.js';
import { syncPaths, writeFileAtomic, writeJsonAtomic } from '../store/atomic-write.js';
import { loadJsonIfValid } from '../documents/validate.js';
import { appendEntriesLocked, withRegistryLock } from '../store/registry.js';
import { readEntries } from '../store/registry-read.js';
import { freezeRecordFor, inputChanges, scheduleFor, scheduleText, type InputChange, type ProviderName } from './freeze-record.js';
import {
  archiveFolder, changedInputsError, describeChange, finishDeviationHint, loadFrozenSet, scheduleMatches, scheduleOfStoppedDeviation, unregisteredFreeze, type FrozenSet,
} from './frozen-set.js';

export type FreezePlan =
  | { action: 'create'; record: FreezeRecord; schedule: Schedule }
  | { action: 'unchanged'; record: FreezeRecord; schedule: Schedule }
  | { action: 'deviate'; record: FreezeRecord; schedule: Schedule; previous: FreezeRecord; changes: InputChange[]; reason: string }
  /** A deviation whose new record was written but never registered (the freeze was stopped): registered now. */
  | { action: 'register'; record: FreezeRecord; schedule: Schedule; previous: FreezeRecord; changes: InputChange[]; reason: string };

export interface FreezeOutcome {
  plan: FreezePlan;
  /** The schedule a stopped `freeze --deviation` had replaced was put back first. */
  scheduleRestored: boolean;
}

/**
 * Freezes the experiment into its run set: creates the set, or (deviation or not) plans and applies
 * under the registry's lock, so two freezes of one set never interleave their writes.
 */
export async function freezeExperiment(exp: LoadedExperiment, provider: ProviderName, deviation: string | undefined, pilot: boolean, who: string): Promise<FreezeOutcome> {
  const files = runSetFiles(exp.location.runsDir);
  const freeze = async (restore: boolean): Promise<FreezeOutcome> => {
    const scheduleRestored = restore && (await restoreStoppedSchedule(exp));
    const plan = await planFreeze(exp, provider, deviation, pilot);
    await applyFreeze(exp, plan, who);
    return { plan, scheduleRestored };
  };
  return existsSync(files.freezeRecord) ? withRegistryLock(files.registry, () => freeze(deviation !== undefined)) : freeze(false);
}

// Decides what freezing would do without writing anything.
async function planFreeze(exp: LoadedExperiment, provider: ProviderName, deviation: string | undefined, pilot: boolean): Promise<FreezePlan> {
  if (provider === 'command' && exp.config.provider.command === undefined) {
    throw inputError(`provider "command" needs provider.command.argv (the agent program to run), which ${exp.location.configFile} does not set`, {
      problems: [{ file: exp.location.configFile, path: '/provider', message: 'no provider.command' }],
      hint: 'set provider.command.argv in experiment.yaml, or freeze for another --provider',
    });
  }
  const schedule = scheduleFor(exp, pilot);
  const record = freezeRecordFor(exp, schedule, provider, new Date(), pilot);
  const files = runSetFiles(exp.location.runsDir);
  if (!existsSync(files.freezeRecord)) {
    if (existsSync(files.registry)) {
      throw inputError(`${files.registry} exists but ${files.freezeRecord} does not`, {
        hint: 'the freeze record was removed; restore it from a backup, or move this run set away and freeze again',
      });
    }
    requireFreezable(exp);
    return { action: 'create', record, schedule };
  }
  const frozen = loadFrozenSet(exp.location.runsDir, exp.config.id);
  requireSameKind(exp, frozen.record, record);
  const changes = inputChanges(frozen.record, record);
  const unregistered = await unregisteredRecord(frozen);
  if (unregistered !== undefined) {
    const stopped = `${frozen.files.freezeRecord} was written by a \`freeze --deviation\` that was stopped before it was registered`;
    if (deviation === undefined) throw inputError(stopped, { hint: finishDeviationHint(exp.config.id, frozen) });
    const its = inputChanges(unregistered.previous, frozen.record);
    // Its reason is for its own changes: newer ones are a deviation of their own, recorded after it.
    if (changes.length > 0) {
      throw inputError(`${stopped}, and the inputs changed again since`, {
        problems: changes.map((c) => ({ file: c.file, message: describeChange(c) })),
        hint: `undo these newer changes, run the stopped deviation again with its reason (its changes: ${its.map((c) => c.what).join(', ')}), then make them again and record them with a \`freeze --deviation\` of their own`,
      });
    }
    return { action: 'register', record: frozen.record, schedule: frozen.schedule, previous: unregistered.previous, changes: its, reason: deviation };
  }
  if (changes.length === 0) return { action: 'unchanged', record: frozen.record, schedule: frozen.schedule };
  if (deviation === undefined) throw changedInputsError(exp, frozen, changes);
  requireFreezable(exp);
  return { action: 'deviate', record, schedule, previous: frozen.record, changes, reason: deviation };
}

// What only a new freeze refuses (LoadedExperiment.freezeOnly): a set frozen before it was checked
// stays readable, and freezing it again unchanged stays a no-op.
function requireFreezable(exp: LoadedExperiment): void {
  if (exp.freezeOnly.length > 0) throw invalid(exp.location, exp.freezeOnly);
}

// What a run set is for (pilot or confirmatory) and which provider its runs come from are never
// changed by re-freezing, deviation or not: its runs would then count as something they are not.
function requireSameKind(exp: LoadedExperiment, frozen: FreezeRecord, wanted: FreezeRecord): void {
  const kind = (r: FreezeRecord) => `a ${r.pilot ? 'pilot' : 'confirmatory'} set for provider ${r.provider}`;
  if (frozen.pilot === wanted.pilot && frozen.provider === wanted.provider) return;
  const { runsDir } = exp.location;
  throw inputError(`${runsDir} is ${kind(frozen)}, not ${kind(wanted)}; a run set never changes what it is for or its provider`, {
    hint: `to freeze this set again, as what it is: \`harness freeze ${exp.config.id}${frozen.pilot ? ' --pilot' : ''} --provider ${frozen.provider}${runsDirFlag(runsDir)}\`; for ${kind(wanted)}, use a run set of its own: \`harness freeze ${exp.config.id}${wanted.pilot ? ' --pilot' : ''} --provider ${wanted.provider} --runs-dir <another folder>\``,
  });
}

// A deviation keeps every earlier document: the old record and schedule are copied to
// freeze-history/ first, the new ones written, and the deviation registered with the new freeze in
// one append (the caller holds the registry's lock). Stopped before that append, the new record
// stands unregistered: planFreeze finds it (its digest is not the registry's last freeze) and the
// same command registers it.
async function applyFreeze(exp: LoadedExperiment, plan: FreezePlan, who: string): Promise<void> {
  if (plan.action === 'unchanged') return;
  if (plan.action === 'create') return createRunSet(exp, plan.record, plan.schedule);
  const files = runSetFiles(exp.location.runsDir);
  const history = archiveFolder(exp.location.runsDir, plan.previous);
  if (plan.action === 'deviate') {
    await fs.mkdir(history, { recursive: true });
    const archived = [path.join(history, 'experiment.lock.json'), path.join(history, 'schedule.json')];
    await fs.copyFile(files.freezeRecord, archived[0]!);
    await fs.copyFile(files.schedule, archived[1]!);
    // The archive is what a stopped deviation is recovered from: durable before anything is replaced.
    await syncPaths([...archived, history, path.dirname(history)]);
    await writeFileAtomic(files.schedule, scheduleText(plan.schedule));
    await writeJsonAtomic(files.freezeRecord, plan.record);
  }
  await appendEntriesLocked(files.registry, [
    { experiment: exp.config.id, type: 'deviation', data: { kind: 'config-change', who, reason: plan.reason, details: { changes: plan.changes, previousFreezeDigest: plan.previous.digest, archivedIn: history } } },
    { experiment: exp.config.id, type: 'frozen', data: frozenData(plan.record) },
  ]);
}

/**
 * Puts back the schedule of the freeze record on disk when a `freeze --deviation` was stopped after
 * writing the new schedule and before writing the new record: the record is then still the old one,
 * its own schedule is the copy archived first, and the schedule on disk is the one the inputs as they
 * are now generate (what the stopped deviation wrote). Anything else is left for loadFrozenSet to
 * report. Returns whether it put the schedule back.
 */
async function restoreStoppedSchedule(exp: LoadedExperiment): Promise<boolean> {
  const files = runSetFiles(exp.location.runsDir);
  const record = loadJsonIfValid<FreezeRecord>('freeze-record', files.freezeRecord);
  if (record === undefined || scheduleMatches(files.schedule, record)) return false;
  const archived = scheduleOfStoppedDeviation(exp.location.runsDir, record);
  if (archived === undefined || (await fs.readFile(files.schedule, 'utf8').catch(() => undefined)) !== scheduleText(scheduleFor(exp, record.pilot))) return false;
  await writeFileAtomic(files.schedule, await fs.readFile(archived, 'utf8'));
  return true;
}

// The freeze record on disk is the one the registry's last `frozen` entry names, unless a deviation
// was stopped between writing it and registering it: then the record it replaced is the one
// archived under freeze-history/ with the registered digest.
async function unregisteredRecord(frozen: FrozenSet): Promise<{ previous: FreezeRecord } | undefined> {
  const registered = unregisteredFreeze(frozen.record, await readEntries(frozen.files.registry));
  if (registered === undefined) return undefined;
  const archive = path.join(frozen.runsDir, 'freeze-history');
  const archived = existsSync(archive) ? (await fs.readdir(archive)).map((d) => loadJsonIfValid<FreezeRecord>('freeze-record', path.join(archive, d, 'experiment.lock.json'))) : [];
  const previous = archived.find((r) => r !== undefined && sameDigest(r.digest, registered.data.freezeDigest));
  if (previous === undefined) {
    throw checkFailed(`${frozen.files.freezeRecord} is not the freeze the registry recorded last (entry ${registered.seq}), and no archived record is`, {
      hint: `the freeze record was replaced by hand; restore it from a backup, then \`harness verify ${frozen.runsDir}\``,
    });
  }
  return { previous };
}

// The run set appears all at once: written into a staging folder, then renamed into place, so
// a crash leaves either nothing or a complete set.
async function createRunSet(exp: LoadedExperiment, record: FreezeRecord, schedule: Schedule): Promise<void> {
  const target = exp.location.runsDir;
  await fs.mkdir(path.dirname(target), { recursive: true });
  if (existsSync(target)) {
    const leftovers = await fs.readdir(target);
    if (leftovers.length > 0) {
      throw inputError(`${target} exists and is not a frozen run set (it holds ${leftovers.slice(0, 3).join(', ')}${leftovers.length > 3 ? ', …' : ''})`, {
        hint: 'move it away, or choose another runs folder with --runs-dir',
      });
    }
    await fs.rmdir(target);
  }
  const staging = path.join(path.dirname(target), `.${path.basename(target)}.staging-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(staging);
  try {
    const files = runSetFiles(staging);
    await writeFileAtomic(files.schedule, scheduleText(schedule));
    await writeJsonAtomic(files.freezeRecord, record);
    await appendEntriesLocked(files.registry, [{ experiment: exp.config.id, type: 'frozen', data: frozenData(record), at: new Date(record.frozenAt) }]);
    await fs.rename(staging, target);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    throw err;
  }
}

function frozenData(record: FreezeRecord) {
  return {
    freezeDigest: record.digest,
    scheduleDigest: record.schedule.digest,
    configDigest: record.inputs.config.digest,
    preregistrationDigest: record.inputs.preregistration.digest,
    provider: record.provider,
    harnessVersion: record.harnessVersion,
    slots: record.schedule.slots,
  };
}
