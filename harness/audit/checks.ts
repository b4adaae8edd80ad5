import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sameDigest, jsonDigest } from '../core/digest.js';
import type { AuditReport, Manifest, RegistryEntry } from '../core/types/index.js';
import { loadJsonIfValid } from '../documents/validate.js';
import { runsDirFlag } from '../experiment/locate.js';
import { currentRuns, slotKey } from '../pipeline/current-runs.js';
import { scheduleFor, scheduleText } from '../pipeline/freeze-record.js';
import { changedInputs, describeChange } from '../pipeline/frozen-set.js';
import { pinsSlot, slotOf } from '../pipeline/manifest.js';
import { runFiles } from '../pipeline/load-run.js';
import { verifyPairs } from '../pipeline/verify-pairing.js';
import { verifyRunSet } from '../pipeline/verify-experiment.js';
import { failedAttempts, isEvaluatedNotLocked } from '../pipeline/slot-state.js';
import { ofType, type EntryOf } from '../core/entries.js';
import { plural } from '../core/plural.js';
import type { AuditContext } from './context.js';
import { intervalLevel } from '../analysis/stats/index.js';

export type AuditCheck = AuditReport['checks'][number];
type Verdict = { failures: string[]; evidence: string[] };

// Slots may start a little out of order when several run at once (claims race by milliseconds);
// a first attempt pinned more than this many positions late is an ordering deviation.
const ORDER_TOLERANCE = 16;

const check = (id: string, title: string, v: Verdict): AuditCheck => ({
  id, title, status: v.failures.length === 0 ? 'PASS' : 'FAIL', evidence: [...v.failures, ...v.evidence],
});

export async function runAuditChecks(ctx: AuditContext): Promise<AuditCheck[]> {
  return [
    check('frozen-before-first-run', 'pre-registration and config frozen before the first run', frozenFirst(ctx)),
    check('inputs-unchanged', 'config, pre-registration, variants and tasks unchanged since freezing', inputsUnchanged(ctx)),
    check('schedule-regenerates', 'the schedule regenerates byte-identically from the registered seed', await scheduleRegenerates(ctx)),
    check('schedule-order', 'runs executed in schedule order', scheduleOrder(ctx)),
    check('pins-match-freeze', "every run's pins match the freeze record", pinsMatch(ctx)),
    check('pairs-intact', 'every pair intact (verify-pairing)', await pairsIntact(ctx)),
    check('sample-size', 'sample size per task exactly as registered', sampleSize(ctx)),
    check('exclusions-registered', 'every run not analysed has a registered exclusion; exclusions drop whole pairs', exclusions(ctx)),
    check('retries-infrastructure-only', 'retries only for infrastructure errors, never for results', retries(ctx)),
    check('analysis-as-registered', 'the analysis used the registered test, sidedness, alpha and correction', await analysisAsRegistered(ctx)),
    check('no-early-unblinded-looks', 'no unblinded look before the planned N', earlyLooks(ctx)),
    check('registry-and-locks-verify', 'registry chain and every lock verify', await integrity(ctx)),
  ];
}

function frozenFirst({ entries }: AuditContext): Verdict {
  const failures: string[] = [];
  const first = entries[0];
  if (first?.type !== 'frozen') failures.push('the registry does not start with the freeze (genesis) entry');
  const firstRun = ofType(entries, 'pinned')[0];
  if (first && firstRun && (firstRun.seq < first.seq || firstRun.at < first.at)) failures.push(`run ${firstRun.data.runId} pinned at ${firstRun.at}, before the freeze at ${first.at}`);
  return { failures, evidence: [`frozen at ${first?.at ?? '?'} (entry 0)`, firstRun ? `first run pinned at ${firstRun.at} (entry ${firstRun.seq})` : 'no runs pinned yet'] };
}

function inputsUnchanged({ exp, frozen, entries }: AuditContext): Verdict {
  const failures = changedInputs(exp, frozen).map((c) => `${c.file}: ${describeChange(c)} (after freezing)`);
  for (const d of ofType(entries, 'deviation').filter((e) => e.data.kind === 'config-change')) failures.push(`deviation recorded at ${d.at} by ${d.data.who}: inputs changed and re-frozen (${d.data.reason})`);
  return { failures, evidence: [`freeze record sha256:${frozen.record.digest.sha256}`] };
}

async function scheduleRegenerates({ exp, frozen }: AuditContext): Promise<Verdict> {
  const regenerated = scheduleText(scheduleFor(exp, frozen.record.pilot));
  const onDisk = await fs.readFile(frozen.files.schedule, 'utf8');
  return regenerated === onDisk
    ? { failures: [], evidence: [`${frozen.schedule.slots.length} slots regenerated from seed ${exp.config.design.seed}: byte-identical`] }
    : { failures: [`${frozen.files.schedule} differs from the schedule regenerated from seed ${exp.config.design.seed}`], evidence: [] };
}

export function scheduleOrder({ entries, manifests, frozen }: Pick<AuditContext, 'entries' | 'manifests' | 'frozen'>): Verdict {
  const pinned = ofType(entries, 'pinned');
  // A first attempt killed between making its folder and registering its pin is registered only
  // as abandoned (by the next run); its manifest still dates its start. (Run ids end in -a<attempt>.)
  const registeredPins = new Set(pinned.map((e) => e.data.runId));
  const unpinned = ofType(entries, 'abandoned').filter((e) => !registeredPins.has(e.data.runId) && e.data.slotIndex !== null && e.data.runId.endsWith('-a1'));
  const pins = [...pinned.filter((e) => e.data.attempt === 1 && e.data.slotIndex !== null), ...unpinned];
  const times = pinTimes(pins, manifests, frozen.runsDir);
  const firsts = startOrder(pins.filter((e) => times.has(e.data.runId)), times);
  // Compare each run's start position with its rank in schedule order (runs may cover a subset).
  const rank = new Map([...firsts].sort((a, b) => a.data.slotIndex! - b.data.slotIndex!).map((e, i) => [e.data.runId, i]));
  const late = firsts.flatMap((e, position) => (Math.abs(position - rank.get(e.data.runId)!) > ORDER_TOLERANCE ? [`${e.data.runId} (slot ${e.data.slotIndex}) started as run ${position + 1}, scheduled as run ${rank.get(e.data.runId)! + 1}`] : []));
  const undated = pins.filter((e) => !times.has(e.data.runId)).map((e) => e.data.runId);
  return {
    failures: late,
    evidence: [
      `${firsts.length} first attempts${unpinned.length === 0 ? '' : ` (${unpinned.length} of them cut off before their pin was registered, registered as abandoned)`}; ${late.length} started more than ${ORDER_TOLERANCE} positions from their place in the schedule (smaller shifts are concurrency)`,
      ...(undated.length === 0 ? [] : [`${undated.length} left out, their manifest missing or unreadable (nothing dates their start): ${undated.join(', ')}`]),
    ],
  };
}

/** A run's start as the registry records it: its pin, or (pin cut off) its abandonment. */
type Start = EntryOf<'pinned'> | EntryOf<'abandoned'>;

// When each run was pinned: its manifest's createdAt (locked runs' manifests are loaded already;
// an attempt that was never locked still has its own). A run without a readable manifest has no
// time: its registry entry's is the time its batch of entries was written, which can be later
// than runs pinned after it.
function pinTimes(pins: readonly Start[], manifests: ReadonlyMap<string, Manifest>, runsDir: string): Map<string, string> {
  const times = new Map<string, string>();
  for (const { data: { runId } } of pins) {
    const manifest = manifests.get(runId) ?? loadJsonIfValid<Manifest>('manifest', runFiles(path.join(runsDir, runId)).manifest);
    if (manifest !== undefined) times.set(runId, manifest.createdAt);
  }
  return times;
}

/**
 * Pins in the order the runs were pinned, by `times` (each run's manifest createdAt; registry
 * order between runs of the same millisecond). Registry order is not that order when several
 * processes run: each writes its pins in batches, and one process's batch can land between
 * another's pin and its entry.
 */
export function startOrder<E extends Start>(pins: readonly E[], times: ReadonlyMap<string, string>): E[] {
  return pins.map((e, i) => ({ e, i, t: times.get(e.data.runId)! })).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i)).map((x) => x.e);
}

function pinsMatch({ frozen, manifests }: AuditContext): Verdict {
  const rec = frozen.record;
  const failures: string[] = [];
  for (const [runId, m] of manifests) {
    const bad = (what: string) => failures.push(`${runId}: ${what} differs from the freeze record`);
    if (!sameDigest(m.experiment.freezeDigest, rec.digest)) bad('freeze digest');
    if (!sameDigest(m.experiment.configDigest, rec.inputs.config.digest)) bad('config digest');
    if (!sameDigest(m.experiment.preregistrationDigest, rec.inputs.preregistration.digest)) bad('pre-registration digest');
    if (!sameDigest(m.experiment.scheduleDigest, rec.schedule.digest)) bad('schedule digest');
    if (m.provider.name !== rec.provider) bad(`provider (${m.provider.name})`);
    const task = rec.inputs.tasks.find((t) => t.id === m.task.id);
    if (!task || !sameDigest(task.specDigest, m.task.specDigest) || !sameDigest(task.workspaceDigest, m.task.workspaceDigest)) bad(`task ${m.task.id}`);
    const variant = rec.inputs.variants.find((v) => v.id === m.variant.id);
    if (!variant || !sameDigest(variant.digest, m.variant.promptDigest)) bad(`variant ${m.variant.id} prompt`);
    if (!m.adhoc && !pinsSlot(m, slotOf(m, frozen.schedule.slots))) bad(`slot ${String(m.slot.index)} (seed ${m.seed})`);
  }
  return { failures, evidence: [`${manifests.size} locked runs checked (superseded and ad hoc included)`, ...isolationEvidence(manifests)] };
}

// What a run was allowed that the default sandbox does not allow: pinned, so not a deviation, but
// something a reader of the results should know.
function isolationEvidence(manifests: ReadonlyMap<string, Manifest>): string[] {
  const runs = [...manifests.values()];
  const listed = (what: string, ids: string[]) => (ids.length === 0 ? [] : [`${ids.length} ${what}: ${ids.join(', ')}`]);
  return [
    ...listed('runs without a sandbox (--sandbox none)', runs.filter((m) => m.sandbox.mode === 'none').map((m) => m.runId)),
    ...listed('runs whose agent program had network access (provider.command.network)', runs.filter((m) => m.provider.command?.network === true).map((m) => m.runId)),
  ];
}

async function pairsIntact({ frozen, data }: AuditContext): Promise<Verdict> {
  const complete = data.pairs.map((p) => p.pairId);
  const reports = complete.length === 0 ? [] : await verifyPairs(frozen, complete);
  const failures = reports.filter((r) => !r.ok).flatMap((r) => r.problems.map((p) => `${r.pairId}: ${p}`));
  return { failures, evidence: [`${reports.length - reports.filter((r) => !r.ok).length}/${reports.length} complete pairs intact`] };
}

// A pilot set (one pair per task) is never the registered sample: that is its one failure here,
// rather than a shortfall per task, and its evidence counts against the pairs it scheduled.
function sampleSize({ exp, frozen, data, manifests }: AuditContext): Verdict {
  const { pilot } = frozen.record;
  const planned = exp.preregistration.plannedN.pairsPerTask;
  const minimum = exp.preregistration.plannedN.minimumPairsPerTask ?? planned;
  const failures = pilot ? [`this is a pilot set (one pair per task, ${plural(planned, 'pair')} per task registered): it is not the registered sample, and the confirmatory set never counts it`] : [];
  const evidence: string[] = [];
  for (const task of exp.config.tasks) {
    const scheduled = new Set(frozen.schedule.slots.filter((s) => s.task === task).map((s) => s.pairId)).size;
    const analysed = data.pairs.filter((p) => p.task === task).length;
    if (!pilot && scheduled !== planned) failures.push(`${task}: ${scheduled} pairs scheduled, ${planned} registered${scheduled > planned ? ' (extra pairs)' : ''}`);
    if (!pilot && analysed < minimum) failures.push(`${task}: ${plural(analysed, 'analysable pair')}, fewer than the registered ${minimum}`);
    evidence.push(`${task}: ${analysed}/${pilot ? scheduled : planned} pairs analysed`);
  }
  const adhoc = [...manifests.values()].filter((m) => m.adhoc).map((m) => m.runId);
  if (adhoc.length > 0) evidence.push(`ad hoc runs outside the schedule (never analysed): ${adhoc.join(', ')}`);
  return { failures, evidence };
}

function exclusions({ exp, data, entries }: AuditContext): Verdict {
  const rules = new Set(exp.preregistration.exclusionRules.map((r) => r.id));
  const failures = data.incomplete.map((p) => `${p}: not analysed and no registered exclusion`);
  for (const e of data.excluded) if (!rules.has(e.rule)) failures.push(`${e.pairId}: excluded under "${e.rule}", which is not a registered exclusion rule`);
  const byVariant = exp.config.variants.map((v) => {
    const failed = failedAttempts(entries).filter((e) => e.data.variant === v).length;
    return `${v}: ${plural(failed, 'failed attempt')}`;
  });
  // Exclusions are to be decided from infrastructure evidence before outcomes are known; each is
  // listed with the evidence the registry held when it was made. One made after every run of the
  // pair had a result and none had failed fails the check: it may have been chosen by its outcome,
  // and a reader has to judge the reason given (a lost run folder, say, which verify also reports).
  const evidence = ofType(entries, 'excluded').map((x) => {
    const e = exclusionEvidence(entries.slice(0, x.seq), x.data.pairId, exp.config.variants.length);
    if (e.outcomeKnown) failures.push(`${x.data.pairId}: excluded under "${x.data.rule}" with the outcome known (every run of the pair locked, none failed): "${x.data.reason}"`);
    return `${x.data.pairId} excluded under "${x.data.rule}" at ${x.at}: ${e.failedAttempts} failed attempts of the pair recorded before, ${e.lockedRuns} of its runs locked before`;
  });
  return { failures, evidence: [`${plural(data.excluded.length, 'pair')} excluded (whole pairs) of ${data.pairsPlanned}`, ...byVariant, ...evidence] };
}

/** What `before` (the registry when the pair was excluded) held about the pair. */
export function exclusionEvidence(before: readonly RegistryEntry[], pairId: string, variants: number) {
  const ofPair = (e: { data: { pairId: string } }) => e.data.pairId === pairId;
  const failed = failedAttempts(before).filter(ofPair).length;
  // One per variant at most: the run standing for each of the pair's slots (not superseded ones).
  const lockedRuns = [...currentRuns(before).values()].filter(ofPair).length;
  return { failedAttempts: failed, lockedRuns, outcomeKnown: failed === 0 && lockedRuns >= variants };
}

function retries({ entries }: AuditContext): Verdict {
  const lockedEntries = ofType(entries, 'locked');
  const locked = new Set(lockedEntries.map((e) => e.data.runId));
  const failures = ofType(entries, 'retried').filter((e) => locked.has(e.data.runId)).map((e) => `${e.data.runId} was retried although it finished with a result`);
  const superseded = ofType(entries, 'superseded');
  for (const s of superseded) {
    const was = lockedEntries.find((e) => e.data.runId === s.data.runId);
    failures.push(`${s.data.runId} (a completed result${was ? `, ${was.data.success ? 'success' : 'failed checks'}` : ''}) was redone: "${s.data.reason}" by rerun at ${s.at}`);
  }
  failures.push(...replacedWithoutRerun(entries));
  return { failures, evidence: [`${ofType(entries, 'retried').length} infrastructure retries, ${superseded.length} superseded results`, ...setAsideResults(entries)] };
}

/**
 * Attempts evaluated but never locked, then given up and run again: not failures (a crash between
 * an evaluation and its lock leaves the same), but results set aside, listed with their outcomes
 * so a reader sees how many and in which direction. One evidence line, or none.
 */
export function setAsideResults(entries: readonly RegistryEntry[]): string[] {
  const setAside = ofType(entries, 'abandoned').filter((e) => isEvaluatedNotLocked(e.data.reason)).map((e) => `${e.data.runId}: ${e.data.reason}`);
  return setAside.length === 0 ? [] : [`${plural(setAside.length, 'attempt')} evaluated but never locked, and run again: ${setAside.join('; ')}`];
}

/**
 * Results replaced other than by rerun: a newer locked attempt stands for the slot and no reason was
 * recorded for dropping the older. harness itself no longer makes such a set (pin-and-run --init
 * refuses a slot with an unfinished attempt, lock-run an attempt given up), but a registry written
 * by hand or by an older version may hold one.
 */
export function replacedWithoutRerun(entries: readonly RegistryEntry[]): string[] {
  const standing = currentRuns(entries);
  const redone = new Set(ofType(entries, 'superseded').map((s) => s.data.runId));
  return ofType(entries, 'locked').flatMap((e) => {
    const current = standing.get(slotKey(e.data.pairId, e.data.variant));
    if (e.data.adhoc || redone.has(e.data.runId) || current === undefined || current === e) return [];
    return [`${e.data.runId} (a completed result, ${e.data.success ? 'success' : 'failed checks'}) was replaced by ${current.data.runId} without rerun: no reason recorded`];
  });
}

async function analysisAsRegistered({ exp, frozen, report, reportFile, entries }: AuditContext): Promise<Verdict> {
  if (report === undefined) return { failures: [`no analysis found (${reportFile}); run \`harness analyze ${exp.config.id}${runsDirFlag(frozen.runsDir)}\``], evidence: [] };
  const pre = exp.preregistration;
  const failures: string[] = [];
  const expect = (what: string, used: unknown, registered: unknown) => {
    if (JSON.stringify(used) !== JSON.stringify(registered)) failures.push(`${what}: used ${JSON.stringify(used)}, registered ${JSON.stringify(registered)}`);
  };
  // What the analysis computed where the report holds it, else the plan it copied.
  const { primary, secondary, plan } = report;
  const registeredSecondary = { sidedness: pre.secondaryOutcomes.sidedness ?? 'two-sided', logRatio: pre.secondaryOutcomes.logRatio ?? [] };
  expect('primary test', primary?.test ?? plan.primary.test, pre.primaryOutcome.test);
  expect('sidedness', primary?.sidedness ?? plan.primary.sidedness, pre.primaryOutcome.sidedness);
  expect('alpha', primary?.alpha ?? plan.primary.alpha, pre.primaryOutcome.alpha);
  if (primary) expect('confidence level', primary.confLevel, intervalLevel(pre.primaryOutcome.alpha, pre.primaryOutcome.sidedness));
  expect('secondary metrics', secondary?.map((m) => m.metric) ?? plan.secondary.metrics, pre.secondaryOutcomes.metrics);
  for (const used of new Set(secondary?.map((m) => m.test.name) ?? [plan.secondary.test])) expect('secondary test', used, pre.secondaryOutcomes.test);
  for (const used of new Set(secondary?.map((m) => m.test.sidedness) ?? [plan.secondary.sidedness])) expect('secondary sidedness', used, registeredSecondary.sidedness);
  expect('correction', plan.secondary.correction, pre.secondaryOutcomes.correction);
  expect('log-ratio metrics', plan.secondary.logRatio, registeredSecondary.logRatio);
  const unregisteredRatios = (secondary ?? []).filter((m) => m.logRatio !== null && !registeredSecondary.logRatio.includes(m.metric)).map((m) => m.metric);
  if (unregisteredRatios.length > 0) failures.push(`log ratios computed for metrics not registered for one: ${unregisteredRatios.join(', ')}`);
  if (!sameDigest(report.inputs.freezeDigest, frozen.record.digest)) failures.push('the report was computed from another freeze record');
  if (!ofType(entries, 'analysed').some((e) => e.data.reportDigest !== null && sameDigest(e.data.reportDigest, jsonDigest(report)))) failures.push(`${reportFile} is not a report any registered analyze call wrote: edited, or written by an analyze stopped before it registered the report; \`harness analyze ${exp.config.id}${runsDirFlag(frozen.runsDir)}\` writes and registers it anew`);
  if (report.blinded) failures.push('the latest report is blinded: the analysis has not been run on the complete set');
  return { failures, evidence: [`report generated ${report.generatedAt} from ${report.inputs.registryEntries} registry entries`] };
}

function earlyLooks({ entries }: AuditContext): Verdict {
  return { failures: earlyLookFailures(entries), evidence: [`${ofType(entries, 'analysed').length} analyze calls recorded`] };
}

/**
 * Each unblinded analysis made before the planned N, with the reason `analyze --unblind` recorded
 * for it: the `unblinded-look` deviation written after the analysis before it (an --unblind call
 * that failed after recording its reason leaves a deviation no analysis follows; a look made
 * without blinding registered has none).
 */
export function earlyLookFailures(entries: readonly RegistryEntry[]): string[] {
  // Pairs excluded before a look count as settled: an analysis of every pair not excluded is complete.
  const excludedBefore = (seq: number) => new Set(ofType(entries, 'excluded').filter((x) => x.seq < seq).map((x) => x.data.pairId)).size;
  const analyses = ofType(entries, 'analysed');
  const reasons = ofType(entries, 'deviation').filter((e) => e.data.kind === 'unblinded-look');
  return analyses.flatMap((e, i) => {
    if (e.data.blinded || e.data.pairsLocked + excludedBefore(e.seq) >= e.data.pairsPlanned) return [];
    const after = i === 0 ? -1 : analyses[i - 1]!.seq;
    const reason = reasons.filter((d) => d.seq > after && d.seq < e.seq).at(-1);
    return [`unblinded look at ${e.at} by ${e.data.who} at ${e.data.pairsLocked}/${e.data.pairsPlanned} pairs${reason ? `: "${reason.data.reason}"` : ''}`];
  });
}

async function integrity({ frozen }: AuditContext): Promise<Verdict> {
  const report = await verifyRunSet(frozen.runsDir);
  return { failures: report.problems.map((p) => `${p.file ?? ''}${p.line ? `:${p.line}` : ''}: ${p.message}`), evidence: [`${report.lockedRuns} locked runs re-hashed, ${report.registryEntries} registry entries chained`] };
}
