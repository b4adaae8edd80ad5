import { existsSync } from 'node:fs';
import { checkFailed, inputError } from '../core/errors.js';
import { jsonDigest, type Digest } from '../core/digest.js';
import type { EntryOf } from '../core/entries.js';
import type { RegistryEntry, RunLock, Scorecard } from '../core/types/index.js';
import { loadValidJson } from '../documents/validate.js';
import { relativeToCwd, runsDirFlag } from '../experiment/locate.js';
import { appendEntries, appendEntriesLocked, withRegistryLock, type NewEntry } from '../store/registry.js';
import { readEntries } from '../store/registry-read.js';
import { writeLock, lockDigest, makeReadOnly } from '../store/run-lock.js';
import { loadValidRun, type ValidRun } from './load-run.js';
import type { ContextCache } from './experiment-context.js';
import { givenUp } from './slot-state.js';
import { unfinishedAttemptHint } from './attempt-state.js';
import { verifyLockedRun } from './verify-run.js';
import { violationEntries } from './violation-entries.js';

export interface LockResult {
  runId: string;
  action: 'locked' | 'already-locked' | 'registered' | 'violations-registered';
  rootDigest: Digest;
  success: boolean;
}

// lock-run: hash every file, write lock.json and SHA256SUMS, make the run read-only and register
// it. Locking a locked run verifies it and changes nothing (except registering a lock whose
// registry entry was never written, e.g. after a crash between the two).
export async function lockRun(dirOrManifest: string, contexts: ContextCache = new Map()): Promise<LockResult> {
  return lockLoadedRun(await loadValidRun(dirOrManifest, contexts));
}

/** lockRun on a run already loaded and validated. */
export async function lockLoadedRun(run: ValidRun): Promise<LockResult> {
  if (!existsSync(run.files.lock)) requireNotGivenUp(run, await readEntries(run.ctx.frozen.files.registry));
  return lockValidRun(run);
}

// An attempt registered as abandoned or retried was given up, and its slot got a newer attempt:
// locked now, it would stand for the slot in place of that one, with no reason recorded. (The
// scheduler never locks such an attempt, so only a lock by hand is checked.)
function requireNotGivenUp({ manifest, ctx }: ValidRun, entries: readonly RegistryEntry[]): void {
  const given = givenUp(entries).find((e) => e.data.runId === manifest.runId);
  if (given === undefined) return;
  throw inputError(`${manifest.runId} was given up (registered ${given.type} at ${given.at}); an attempt given up is never locked`, {
    hint: `its slot has a newer attempt, or gets one when you pin it again; see where the set stands: \`harness status ${manifest.experiment.id}${runsDirFlag(ctx.frozen.runsDir)}\`; a locked result is redone only by \`harness rerun <run-id>${runsDirFlag(ctx.frozen.runsDir)} --reason "…"\``,
  });
}

// `scorecard`: the one the evaluation just wrote, when it happened in this process; otherwise
// scorecard.json is read back and validated.
export async function lockValidRun(run: ValidRun, options: { scorecard?: Scorecard } = {}): Promise<LockResult> {
  const { files, manifest, ctx } = run;
  const registry = ctx.frozen.files.registry;
  if (!existsSync(files.scorecard)) throw inputError(`${manifest.runId} has no scorecard`, { hint: await unfinishedAttemptHint(run) });
  const scorecard = options.scorecard ?? loadValidJson<Scorecard>('scorecard', files.scorecard);
  if (scorecard.runId !== manifest.runId) throw checkFailed(`${files.scorecard} belongs to ${scorecard.runId}, not ${manifest.runId}`, {
      hint: existsSync(files.lock)
        ? `the run was changed after locking; \`harness verify ${relativeToCwd(files.dir)}\` lists every problem`
        : `evaluate this run again (\`harness evaluate --manifest ${files.manifest}\`), which writes its own scorecard`,
    });
  if (existsSync(files.lock)) {
    const entries = await readEntries(registry);
    const registered = entries.find((e): e is EntryOf<'locked'> => e.type === 'locked' && e.data.runId === manifest.runId);
    if (registered === undefined) requirePinRegistered(run, entries);
    return relock(run, registered, scorecard, entries);
  }
  const lock = await writeLock(files.dir, manifest.runId, manifest.digest, jsonDigest(scorecard), new Date());
  await register(run, scorecard, lock);
  return { runId: manifest.runId, action: 'locked' as const, rootDigest: lock.rootDigest, success: scorecard.success };
}

// A lock is registered only after the run's pin is on disk, so a crash can leave a lock without
// its `locked` entry but never without its `pinned` one: a locked run whose pin is not in the
// registry means entries were lost (the registry truncated or edited), and registering the lock
// now would give the run a history it never had.
function requirePinRegistered({ manifest, files, ctx }: ValidRun, entries: readonly RegistryEntry[]): void {
  if (entries.some((e) => e.type === 'pinned' && e.data.runId === manifest.runId)) return;
  throw checkFailed(`${manifest.runId} is locked, but the registry has neither its lock nor its pin: entries were lost from ${ctx.frozen.files.registry}`, {
    hint: `a crash never loses a registered pin: the registry was truncated or edited; restore it from a backup, then \`harness verify ${relativeToCwd(ctx.frozen.runsDir)}\` (${relativeToCwd(files.dir)} is left as it is)`,
  });
}

async function relock(run: ValidRun, registered: EntryOf<'locked'> | undefined, scorecard: Scorecard, entries: readonly RegistryEntry[]): Promise<LockResult> {
  // A lock cut off before it was registered (crash, kill -9) may not have made every file
  // read-only yet: finish that, then check the hashes as for any locked run.
  if (registered === undefined) makeReadOnly(run.files.dir);
  const problems = await verifyLockedRun(run.files.dir, registered, { registering: registered === undefined });
  if (problems.length > 0) throw checkFailed(`${run.manifest.runId} is locked but does not verify`, { problems, hint: `the run was changed after locking; \`harness verify ${relativeToCwd(run.files.dir)}\` lists every problem` });
  const lock = loadValidJson<RunLock>('lock', run.files.lock);
  if (registered === undefined) {
    await register(run, scorecard, lock);
    return { runId: run.manifest.runId, action: 'registered', rootDigest: lock.rootDigest, success: scorecard.success };
  }
  // Before its lock and violations were one append, a crash between them could lose the
  // violations (verify names such a run): they are registered from the locked scorecard.
  const registry = run.ctx.frozen.files.registry;
  const violations = violationEntries(run.manifest.runId, scorecard);
  const unregistered = (seen: readonly RegistryEntry[]) => violations.length > 0 && !seen.some((e) => e.type === 'violation' && e.data.runId === run.manifest.runId);
  // Checked again under the registry's lock, so two lock-runs at once register them once.
  const repaired = unregistered(entries) && (await withRegistryLock(registry, async () => {
    if (!unregistered(await readEntries(registry))) return false;
    await appendEntriesLocked(registry, violations.map((data) => ({ experiment: run.manifest.experiment.id, type: 'violation', data })));
    return true;
  }));
  return { runId: run.manifest.runId, action: repaired ? 'violations-registered' : 'already-locked', rootDigest: lock.rootDigest, success: scorecard.success };
}

// Digests as the lock recorded them (a lock found on disk is verified before it is registered).
// The lock and its violations are one append: a crash keeps both or neither.
async function register(run: ValidRun, scorecard: Scorecard, lock: RunLock): Promise<void> {
  const { manifest, ctx } = run;
  const locked: NewEntry<'locked'> = {
    type: 'locked',
    data: {
      runId: manifest.runId, slotIndex: manifest.slot.index, pairId: manifest.slot.pairId, variant: manifest.variant.id, task: manifest.task.id,
      attempt: manifest.slot.attempt, rootDigest: lock.rootDigest, lockDigest: lockDigest(lock), manifestDigest: manifest.digest,
      scorecardDigest: lock.scorecardDigest, success: scorecard.success, stopReason: scorecard.stopReason, adhoc: manifest.adhoc,
    },
  };
  await appendEntries(ctx.frozen.files.registry, manifest.experiment.id, [locked, ...violationEntries(manifest.runId, scorecard).map((data): NewEntry<'violation'> => ({ type: 'violation', data }))]);
}
