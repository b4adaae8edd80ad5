import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonDigest, sameDigest, selfDigestMatches } from '../core/digest.js';
import { ofType, type EntryOf } from '../core/entries.js';
import { checkFailed, formatProblem, inputError, type Problem } from '../core/errors.js';
import type { FreezeRecord, RegistryEntry, Schedule } from '../core/types/index.js';
import { loadJsonIfValid, loadValidJson } from '../documents/validate.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import { defaultRunsRoot, relativeToCwd, runSetFiles, runsDirFlag } from '../experiment/locate.js';
import { lastEntry } from '../store/registry-read.js';
import { freezeRecordFor, inputChanges, scheduleFor, type InputChange, type ProviderName } from './freeze-record.js';

export interface FrozenSet {
  runsDir: string;
  files: ReturnType<typeof runSetFiles>;
  record: FreezeRecord;
  schedule: Schedule;
}

/**
 * The frozen run set of an experiment, its record and schedule checked against each other.
 * `provider`: the one the caller asked for, named in the freeze command a "not frozen" error suggests.
 */
export function loadFrozenSet(runsDir: string, experimentId: string, provider?: ProviderName): FrozenSet {
  const files = runSetFiles(runsDir);
  if (!existsSync(files.freezeRecord)) throw notFrozenError(runsDir, experimentId, provider);
  const record = loadValidJson<FreezeRecord>('freeze-record', files.freezeRecord);
  const schedule = loadValidJson<Schedule>('schedule', files.schedule);
  const problems = frozenFileProblems(files, record, schedule);
  // Frozen sets are created with their registry (pipeline/freeze.ts): one without it lost it.
  if (!existsSync(files.registry)) problems.push({ file: files.registry, message: 'deleted: a frozen run set keeps its registry from the freeze on' });
  if (problems.length > 0) {
    throw checkFailed(`the run set in ${runsDir} was edited after freezing`, {
      problems,
      hint: `a \`freeze --deviation\` stopped partway is finished by running it again; otherwise restore the files from a backup (the schedule regenerates from the config: \`harness freeze\` on a copy), and run \`harness verify ${experimentId}${runsDirFlag(runsDir)}\` to see what else changed`,
    });
  }
  return { runsDir, files, record, schedule };
}

/** A freeze record and schedule edited after freezing: the record against its own digest, the schedule against the record. */
export function frozenFileProblems(files: ReturnType<typeof runSetFiles>, record: FreezeRecord, schedule: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!selfDigestMatches(record)) problems.push({ file: files.freezeRecord, message: 'edited: does not match its own digest' });
  if (!sameDigest(jsonDigest(schedule), record.schedule.digest)) problems.push({ file: files.schedule, message: 'edited: does not match the digest in the freeze record' });
  return problems;
}

export function notFrozenError(runsDir: string, experimentId: string, provider?: ProviderName) {
  const freeze = `run \`harness freeze ${experimentId}${provider === undefined ? '' : ` --provider ${provider}`}${runsDirFlag(runsDir)}\` first`;
  // make keeps each provider's sets apart (runs/<provider>/, pilots in runs/pilot/<provider>/).
  const root = path.dirname(runsDir);
  const elsewhere = ['anthropic', 'command', 'sim', 'pilot/sim', 'pilot/anthropic', 'pilot/command']
    .map((sub) => path.join(root, sub)).filter((dir) => existsSync(runSetFiles(path.join(dir, experimentId)).freezeRecord));
  return inputError(`experiment ${experimentId} is not frozen: ${runSetFiles(runsDir).freezeRecord} does not exist`, {
    hint: elsewhere.length === 0 ? freeze : `its run set${elsewhere.length === 1 ? ' is' : 's are'} in ${elsewhere.join(', ')} (as make keeps providers apart): pass --runs-dir ${elsewhere[0]}; or, for a new set here, ${freeze}`,
  });
}

/** In the problems a stopped `freeze --deviation` leaves, which running it again finishes (verify gives no restore hint for them). */
export const STOPPED_DEVIATION = 'a `freeze --deviation` stopped';

/** Where a deviation archives the freeze record it replaces, and that record's schedule. */
export function archiveFolder(runsDir: string, replaced: FreezeRecord): string {
  return path.join(runsDir, 'freeze-history', `${replaced.frozenAt.replace(/[:.]/g, '-')}-${replaced.digest.sha256.slice(0, 12)}`);
}

/**
 * Whether the schedule on disk was replaced by a deviation stopped before it wrote its new record:
 * the record's own schedule and the record itself are then archived in its archive folder.
 */
export function scheduleOfStoppedDeviation(runsDir: string, record: FreezeRecord): string | undefined {
  const archive = archiveFolder(runsDir, record);
  const archived = loadJsonIfValid<FreezeRecord>('freeze-record', path.join(archive, 'experiment.lock.json'));
  const schedule = path.join(archive, 'schedule.json');
  return archived !== undefined && sameDigest(archived.digest, record.digest) && scheduleMatches(schedule, record) ? schedule : undefined;
}

/** Whether `file` holds the schedule `record` was frozen with. */
export function scheduleMatches(file: string, record: FreezeRecord): boolean {
  try {
    return sameDigest(jsonDigest(JSON.parse(readFileSync(file, 'utf8'))), record.schedule.digest);
  } catch {
    return false;
  }
}

/**
 * The registry's last `frozen` entry when the freeze record on disk is not the one it names: what a
 * `freeze --deviation` stopped between writing the new record and registering it leaves.
 */
export function unregisteredFreeze(record: FreezeRecord, entries: readonly RegistryEntry[]): EntryOf<'frozen'> | undefined {
  const registered = ofType(entries, 'frozen').at(-1);
  return registered === undefined || sameDigest(registered.data.freezeDigest, record.digest) ? undefined : registered;
}

/** Running the stopped `freeze --deviation` again registers its record (pipeline/freeze.ts). */
export function finishDeviationHint(experimentId: string, frozen: Pick<FrozenSet, 'runsDir' | 'record'>): string {
  return `run it again, with its reason, to register it: \`harness freeze ${experimentId}${frozen.record.pilot ? ' --pilot' : ''}${runsDirFlag(frozen.runsDir)} --deviation "…"\``;
}

/** Refuses to go on when the experiment's inputs differ from what was frozen, naming each change. */
export function requireUnchangedInputs(exp: LoadedExperiment, frozen: FrozenSet): void {
  const changes = changedInputs(exp, frozen);
  if (changes.length > 0) throw changedInputsError(exp, frozen, changes);
}

/** What differs between the experiment on disk and the inputs its set was frozen with. */
export function changedInputs(exp: LoadedExperiment, frozen: Pick<FrozenSet, 'record'>): InputChange[] {
  const { pilot, provider, frozenAt } = frozen.record;
  return inputChanges(frozen.record, freezeRecordFor(exp, scheduleFor(exp, pilot), provider, new Date(frozenAt), pilot));
}

/** e.g. "variant goal-centric changed: frozen sha256:698fff684ad5…, now sha256:61396864083a…" */
export function describeChange(c: InputChange): string {
  return `${c.what} changed: frozen ${short(c.frozen)}, now ${short(c.now)}`;
}

/** Refuses runs from another provider than the one the set was frozen for (`requested` undefined: the set's). */
export function requireSetProvider(frozen: FrozenSet, experimentId: string, requested: ProviderName | undefined): void {
  const provider = frozen.record.provider;
  if (requested === undefined || requested === provider) return;
  throw inputError(`${experimentId}'s run set in ${frozen.runsDir} was frozen for provider ${provider}, not ${requested}; runs from both would mix providers in one experiment`, {
    hint: `keep providers apart, as make does: \`harness freeze ${experimentId}${frozen.record.pilot ? ' --pilot' : ''} --provider ${requested} --runs-dir ${path.join(defaultRunsRoot(), ...(frozen.record.pilot ? ['pilot'] : []), requested)}\`, then give the same --runs-dir to every command`,
  });
}

export function changedInputsError(exp: LoadedExperiment, frozen: Pick<FrozenSet, 'runsDir' | 'record'>, changes: InputChange[]) {
  const experimentId = exp.config.id;
  const { pilot, provider } = frozen.record;
  const sameSet = `${pilot ? ' --pilot' : ''}${provider === exp.config.provider.name ? '' : ` --provider ${provider}`}${runsDirFlag(frozen.runsDir)}`;
  return inputError(`the inputs of ${experimentId} changed since it was frozen`, {
    problems: changes.map((c) => ({ file: c.file, message: describeChange(c) })),
    hint: [
      'a changed experiment is a new experiment or a recorded deviation, never a silent edit:',
      `  - undo the change, or`,
      ...(neverRun(frozen.runsDir) ? [`  - nothing has run in this set yet, so you may make it again: \`rm -r ${relativeToCwd(frozen.runsDir)} && harness freeze ${experimentId}${sameSet}\`, or`] : []),
      `  - copy the experiment to a new id (new folder under experiments/ and a new \`id\`) and freeze that, or`,
      `  - keep this run set and record the change: \`harness freeze ${experimentId}${sameSet} --deviation "why"\` (the audit reports it)`,
      ...(exp.freezeOnly.length === 0 ? [] : [`  (a freeze would also refuse what the inputs hold now: ${exp.freezeOnly.map((p) => formatProblem(p)).join('; ')})`]),
    ].join('\n'),
  });
}

// A set that holds its first freeze entry and no run folder: no run was ever pinned in it.
function neverRun(runsDir: string): boolean {
  try {
    return lastEntry(runSetFiles(runsDir).registry)?.seq === 0 && !readdirSync(runsDir, { withFileTypes: true }).some((e) => e.isDirectory() && !e.name.startsWith('.'));
  } catch {
    return false; // an unreadable set is not offered for deletion
  }
}

function short(hexOrText: string): string {
  return /^[0-9a-f]{64}$/.test(hexOrText) ? `sha256:${hexOrText.slice(0, 12)}…` : hexOrText;
}
