import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { HarnessError, type Problem } from '../core/errors.js';
import { loadJson } from '../documents/load.js';
import { loadValidJson } from '../documents/validate.js';
import { ofType, type EntryOf } from '../core/entries.js';
import type { FreezeRecord, RegistryEntry } from '../core/types/index.js';
import { runSetFiles } from '../experiment/locate.js';
import { verifyRegistryChain } from '../store/registry-verify.js';
import { readMark, recordFileProblems } from '../store/record-files.js';
import { LOCK_FILE } from '../store/run-lock.js';
import { currentRuns } from './current-runs.js';
import { frozenFileProblems, scheduleOfStoppedDeviation, STOPPED_DEVIATION, unregisteredFreeze } from './frozen-set.js';
import { verifyLockedRun } from './verify-run.js';

export interface VerifyReport {
  runsDir: string;
  registryEntries: number;
  lockedRuns: number;
  problems: Problem[];
}

// verify: the registry chain, the freeze record and schedule, and every locked run re-hashed and
// matched against the digest the registry recorded for it.
export async function verifyRunSet(runsDir: string, onlyRun?: string): Promise<VerifyReport> {
  const files = runSetFiles(runsDir);
  const mark = readMark(runsDir);
  const chain = await verifyRegistryChain(files.registry);
  const problems: Problem[] = [...chain.problems];
  if (onlyRun === undefined) problems.push(...freezeProblems(runsDir, files, chain.entries), ...(chain.problems.length === 0 ? recordFileProblems(runsDir, chain.entries, mark) : []));
  const locked = new Map<string, EntryOf<'locked'>>();
  // lock-run registers a run once; a second `locked` entry (anyone can append a well-chained one)
  // would otherwise re-anchor a rewritten lock, so it is a finding and the first entry stands.
  for (const e of chain.entries) {
    if (e.type !== 'locked') continue;
    const first = locked.get(e.data.runId);
    if (first === undefined) locked.set(e.data.runId, e);
    else problems.push({ file: files.registry, message: `entry ${e.seq} locks ${e.data.runId} again (entry ${first.seq} locked it): a run is registered as locked once` });
  }
  const violations = new Map<string, number>();
  for (const v of ofType(chain.entries, 'violation')) violations.set(v.data.runId, (violations.get(v.data.runId) ?? 0) + 1);
  const dirs = onlyRun !== undefined ? [onlyRun] : await runDirs(runsDir);
  let lockedRuns = 0;
  for (const dir of dirs) {
    const entry = locked.get(path.basename(dir));
    if (existsSync(path.join(dir, LOCK_FILE))) {
      lockedRuns++;
      problems.push(...(await verifyLockedRun(dir, entry, { violations: violations.get(path.basename(dir)) ?? 0 })));
    } else if (entry !== undefined) {
      problems.push({ file: path.join(dir, LOCK_FILE), message: 'deleted: the registry says this run was locked' });
    }
  }
  if (onlyRun === undefined) {
    const present = new Set(dirs.map((d) => path.basename(d)));
    for (const [runId, e] of locked) {
      if (!present.has(runId)) problems.push(folderGone(runsDir, e));
    }
  }
  return { runsDir, registryEntries: chain.entries.length, lockedRuns, problems };
}

/** The runs an analysis uses, checked against their locks: the run standing for each slot of every pair that is not excluded. */
export async function verifyStandingRuns(runsDir: string, entries: readonly RegistryEntry[]): Promise<Problem[]> {
  const excluded = new Set(ofType(entries, 'excluded').map((e) => e.data.pairId));
  const problems: Problem[] = [];
  for (const run of currentRuns(entries).values()) {
    if (excluded.has(run.data.pairId)) continue;
    const dir = path.join(runsDir, run.data.runId);
    problems.push(...(existsSync(dir) ? await verifyLockedRun(dir, run) : [folderGone(runsDir, run)]));
  }
  return problems;
}

const folderGone = (runsDir: string, locked: EntryOf<'locked'>): Problem => ({
  file: path.join(runsDir, locked.data.runId), message: `run folder deleted or renamed: registry entry ${locked.seq} locked it`,
});

// The freeze record is checked against its schema before its digests are used; a record or
// schedule that cannot be read or parsed is named with where it breaks. The record is the freeze
// the registry recorded last, unless a `freeze --deviation` stopped before registering it.
function freezeProblems(runsDir: string, files: ReturnType<typeof runSetFiles>, entries: readonly RegistryEntry[]): Problem[] {
  try {
    const record = loadValidJson<FreezeRecord>('freeze-record', files.freezeRecord);
    const stopped = scheduleOfStoppedDeviation(runsDir, record) !== undefined;
    const problems = frozenFileProblems(files, record, loadJson(files.schedule).data).map((p) => (stopped && p.file === files.schedule
      ? { ...p, message: `${p.message}: ${STOPPED_DEVIATION} between writing the new schedule and the new record leaves this, and running it again with its reason puts it back` }
      : p));
    const registered = unregisteredFreeze(record, entries);
    if (registered !== undefined) {
      problems.push({ file: files.freezeRecord, message: `not the freeze the registry recorded last (entry ${registered.seq}): ${STOPPED_DEVIATION} before registering it leaves this, and running it again with its reason registers it` });
    }
    return problems;
  } catch (err) {
    // A schema's problems are listed one by one; every other message starts with the file it is about.
    return err instanceof HarnessError && err.problems.length > 0 ? err.problems : [{ message: (err as Error).message }];
  }
}

/** Run folders of a run set (each named by its run id): every subfolder with a manifest or a lock. */
async function runDirs(runsDir: string): Promise<string[]> {
  const entries = await fs.readdir(runsDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && ['manifest.json', LOCK_FILE].some((f) => existsSync(path.join(runsDir, e.name, f))))
    .map((e) => path.join(runsDir, e.name))
    .sort();
}
