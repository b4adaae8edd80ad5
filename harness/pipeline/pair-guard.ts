import path from 'node:path';
import type { EntryOf } from '../core/entries.js';
import { inputError } from '../core/errors.js';
import { runIdFor } from '../core/schedule.js';
import type { Manifest, ScheduleSlot } from '../core/types/index.js';
import { loadJsonIfValid } from '../documents/validate.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import { runsDirFlag } from '../experiment/locate.js';
import type { SandboxMode } from '../sandbox/run.js';
import { slotKey } from './current-runs.js';
import type { FrozenSet } from './frozen-set.js';
import { buildManifest } from './manifest.js';
import { runFiles } from './load-run.js';
import { environmentPins } from './provenance.js';
import { slotAttempts } from './slot-state.js';
import { sharedPinDifferences } from './verify-pairing.js';

// The two runs of a pair must share every pin but the variant (verify-pairing.ts). What the
// harness runs with can change between two `run`s (a git pull or commit, npm install, another
// Node), and a pair whose first half was locked before would then be broken for good, found only
// by verify-pairing or the audit, after the second half was paid for. So before anything runs,
// each slot about to run is checked against the run standing for its pair partner: the manifest
// it would be pinned with against the partner's.
export async function requireUnbrokenPairs(
  exp: LoadedExperiment, frozen: FrozenSet, pending: readonly ScheduleSlot[], current: ReadonlyMap<string, EntryOf<'locked'>>,
  sandbox: { mode: SandboxMode; version?: string },
): Promise<void> {
  const broken: ({ slot: ScheduleSlot } & PartnerDifference)[] = [];
  if (!pending.some((slot) => standingPartners(frozen, current, slot.pairId, slot.variant).length > 0)) return;
  const environment = await environmentPins();
  const now = new Date();
  for (const slot of pending) {
    // A slot whose lock was cut off before it was registered is registered, not run again.
    if (standingPartners(frozen, current, slot.pairId, slot.variant).length === 0 || slotAttempts(frozen.runsDir, slot).latestLocked) continue;
    const ours = buildManifest(exp, frozen, { scheduled: slot, task: slot.task, variant: slot.variant, pairId: slot.pairId, seed: slot.seed, attempt: 1 }, runIdFor(slot, 1), sandbox, environment, now);
    broken.push(...partnerDifferences(frozen, current, ours).map((d) => ({ slot, ...d })));
  }
  if (broken.length === 0) return;
  const first = broken[0]!;
  throw inputError(`${broken.length === 1 ? 'a pair' : `${broken.length} pairs`} would be broken: ${broken.length === 1 ? 'its other run was' : 'their other runs were'} locked with other pins than this process would run with`, {
    problems: [
      ...broken.slice(0, 10).map((b) => ({ message: `${b.slot.pairId} ${b.slot.variant} against ${b.partner}: ${b.differences.join('; ')}` })),
      ...(broken.length > 10 ? [{ message: `… and ${broken.length - 10} more` }] : []),
    ],
    hint: [
      'finish these pairs as their first runs were made (the same commit, `npm ci`, Node, --sandbox and ANTHROPIC_BASE_URL), or',
      `redo their locked runs too (\`harness rerun ${first.partner}${runsDirFlag(frozen.runsDir)} --reason "…"\`; the audit lists every rerun);`,
      'meanwhile --only runs the other slots',
    ].join('\n'),
  });
}

export interface PartnerDifference {
  partner: string;
  differences: string[];
}

/** The pins `ours` does not share with the run standing for each other slot of its pair. */
export function partnerDifferences(frozen: FrozenSet, current: ReadonlyMap<string, EntryOf<'locked'>>, ours: Manifest): PartnerDifference[] {
  return standingPartners(frozen, current, ours.slot.pairId, ours.variant.id).flatMap((partner) => {
    // A partner that cannot be read is `verify`'s to report; it breaks the pair either way.
    const theirs = loadJsonIfValid<Manifest>('manifest', runFiles(path.join(frozen.runsDir, partner.data.runId)).manifest);
    const differences = theirs === undefined ? [] : sharedPinDifferences(theirs, ours);
    return differences.length === 0 ? [] : [{ partner: partner.data.runId, differences }];
  });
}

const standingPartners = (frozen: FrozenSet, current: ReadonlyMap<string, EntryOf<'locked'>>, pairId: string, variant: string): EntryOf<'locked'>[] =>
  frozen.schedule.variants.flatMap((v) => (v === variant ? [] : (current.get(slotKey(pairId, v)) ?? [])));
