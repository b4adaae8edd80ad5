import path from 'node:path';
import type { EntryOf } from '../core/entries.js';
import { canonicalJson } from '../core/canonical-json.js';
import { selfDigestMatches } from '../core/digest.js';
import { formatProblem, HarnessError, inputError } from '../core/errors.js';
import type { Manifest, RunLock, ScheduleSlot } from '../core/types/index.js';
import { readEntries } from '../store/registry-read.js';
import { loadValidJson } from '../documents/validate.js';
import { currentRuns, slotKey } from './current-runs.js';
import type { FrozenSet } from './frozen-set.js';
import { pinsSlot } from './manifest.js';
import { runFiles } from './load-run.js';

export interface PairReport {
  pairId: string;
  task: string;
  ok: boolean;
  runs: { variant: string; runId: string | null }[];
  problems: string[];
}

// The pins two runs of a pair must share, so that they differ in their variant alone: what the run
// is given (config, pre-registration, schedule, freeze, task and fixture, tools, seed, pair), who
// answers (provider, model, request parameters, SDK, API version, address), its sandbox mode and
// limits, the code that runs it (harness version, git commit, lockfile, Node) and its scoring.
// The rest of the manifest is not compared:
// - variant.id and variant.promptDigest: the treatment itself (verifyPair requires the ids differ);
// - runId, createdAt, digest, adhoc and slot.attempt: each run's own (ad-hoc runs never stand for a
//   slot); slot.index and slot.position: pinsSlot checks each run's against the schedule instead;
// - schemaVersion: the schema allows one value;
// - experiment.id and provider.command's argv and network: written in experiment.yaml, so covered by
//   configDigest; provider.command.programDigest: a frozen input, so changing the agent's folder
//   takes a re-freeze, which changes freezeDigest;
// - experiment.path and runsPath: relative to the folder harness ran in, not part of the run;
// - environment.gitDirty, environment.platform and sandbox.version: recorded as provenance only,
//   so a pair whose runs differ in them still passes.
const SHARED_PINS: [string, (m: Manifest) => unknown][] = [
  ['experiment.configDigest', (m) => m.experiment.configDigest],
  ['experiment.preregistrationDigest', (m) => m.experiment.preregistrationDigest],
  ['experiment.scheduleDigest', (m) => m.experiment.scheduleDigest],
  ['experiment.freezeDigest', (m) => m.experiment.freezeDigest],
  ['task.id', (m) => m.task.id],
  ['task.specDigest', (m) => m.task.specDigest],
  ['task.workspaceDigest', (m) => m.task.workspaceDigest],
  ['variant.toolsDigest', (m) => m.variant.toolsDigest],
  ['seed', (m) => m.seed],
  ['slot.pairId', (m) => m.slot.pairId],
  ['provider.name', (m) => m.provider.name],
  ['provider.model', (m) => m.provider.model],
  ['provider.requestParams', (m) => m.provider.requestParams],
  ['provider.sdkVersion', (m) => m.provider.sdkVersion],
  ['provider.apiVersion', (m) => m.provider.apiVersion],
  ['provider.baseUrl', (m) => m.provider.baseUrl],
  ['sandbox.mode', (m) => m.sandbox.mode],
  ['limits', (m) => m.limits],
  ['environment.harnessVersion', (m) => m.environment.harnessVersion],
  ['environment.gitCommit', (m) => m.environment.gitCommit],
  ['environment.lockfileDigest', (m) => m.environment.lockfileDigest],
  ['environment.nodeVersion', (m) => m.environment.nodeVersion],
  ['evaluator.version', (m) => m.evaluator.version],
  ['evaluator.priceTableDigest', (m) => m.evaluator.priceTableDigest],
];

/** Each pin two runs of one pair must share but do not, as `pin <name> differs: …`. */
export function sharedPinDifferences(first: Manifest, other: Manifest): string[] {
  return SHARED_PINS.flatMap(([pin, get]) => {
    const [a, b] = [canonicalJson(get(first) ?? null), canonicalJson(get(other) ?? null)];
    return a === b ? [] : [`pin ${pin} differs: ${first.variant.id} has ${a}, ${other.variant.id} has ${b}`];
  });
}

export async function verifyPairs(frozen: FrozenSet, pairIds: string[] | 'all'): Promise<PairReport[]> {
  const current = currentRuns(await readEntries(frozen.files.registry));
  const pairs = new Map<string, ScheduleSlot[]>();
  for (const s of frozen.schedule.slots) pairs.set(s.pairId, [...(pairs.get(s.pairId) ?? []), s]);
  const wanted = pairIds === 'all' ? [...pairs.keys()] : pairIds;
  const unknown = wanted.filter((id) => !pairs.has(id));
  if (unknown.length > 0) {
    const known = [...pairs.keys()];
    throw inputError(`not in the frozen schedule: ${unknown.join(', ')}`, { hint: `its pairs are ${known[0]} … ${known.at(-1)} (${frozen.files.schedule})` });
  }
  const reports: PairReport[] = [];
  for (const pairId of wanted) reports.push(await verifyPair(frozen, pairs.get(pairId)!, current));
  return reports;
}

async function verifyPair(frozen: FrozenSet, slots: ScheduleSlot[], current: Map<string, EntryOf<'locked'>>): Promise<PairReport> {
  const problems: string[] = [];
  const manifests: Manifest[] = [];
  const runs = [];
  for (const slot of slots) {
    const entry = current.get(slotKey(slot.pairId, slot.variant));
    runs.push({ variant: slot.variant, runId: entry?.data.runId ?? null });
    if (entry === undefined) {
      problems.push(`${slot.variant}: no locked and registered run`);
      continue;
    }
    const files = runFiles(path.join(frozen.runsDir, entry.data.runId));
    try {
      const manifest = loadValidJson<Manifest>('manifest', files.manifest);
      const lock = loadValidJson<RunLock>('lock', files.lock);
      if (lock.rootDigest.sha256 !== entry.data.rootDigest.sha256) problems.push(`${entry.data.runId}: lock.json root digest differs from the registry's`);
      if (!selfDigestMatches(manifest) || manifest.digest.sha256 !== entry.data.manifestDigest.sha256) problems.push(`${entry.data.runId}: manifest.json is not the manifest the registry locked (edited after locking)`);
      if (!pinsSlot(manifest, slot)) problems.push(`${entry.data.runId}: does not match schedule slot ${slot.index} (task ${slot.task}, variant ${slot.variant}, seed ${slot.seed})`);
      manifests.push(manifest);
    } catch (err) {
      const first = err instanceof HarnessError ? err.problems[0] : undefined;
      problems.push(`${entry.data.runId}: run folder unreadable (${first === undefined ? (err as Error).message : formatProblem(first)})`);
    }
  }
  if (manifests.length === slots.length && manifests.length > 1) {
    const [first, ...rest] = manifests as [Manifest, ...Manifest[]];
    for (const other of rest) {
      if (other.variant.id === first.variant.id) problems.push(`both runs are variant ${first.variant.id}`);
      problems.push(...sharedPinDifferences(first, other));
    }
  }
  return { pairId: slots[0]!.pairId, task: slots[0]!.task, ok: problems.length === 0, runs, problems };
}
