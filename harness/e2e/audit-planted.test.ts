import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSelfDigest } from '../core/digest.js';
import type { AnalysisReport, AuditReport } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';
import { EXAMPLE, harness } from '../test-support/cli.js';
import {
  auditOf, checkOf, completeAndPartial, copyProject, failed, freeze, ok, PAIRS_PER_TASK, readJson, registry, run, runsOnDisk, TASKS, type Project,
} from './analyze-support.js';

// The audit on a small honest run set passes every check; each planted violation, on its own copy
// of that set, makes the named check FAIL (exit 1) with evidence naming what was planted.

const CHECKS = [
  'frozen-before-first-run', 'inputs-unchanged', 'schedule-regenerates', 'schedule-order', 'pins-match-freeze', 'pairs-intact',
  'sample-size', 'exclusions-registered', 'retries-infrastructure-only', 'analysis-as-registered', 'no-early-unblinded-looks', 'registry-and-locks-verify',
];
const PAIRS = TASKS.length * PAIRS_PER_TASK;
const SLOW = 150_000;

type Slot = { index: number; task: string; variant: string; seed: number; pairId: string };

let base: Project; // complete, analysed and audited: the last registry entry is the passing audit
let partial: Project; // frozen, only TASK-001's pairs run
let honest: { exitCode: number; audit: AuditReport };
let honestText: { exitCode: number; stdout: string };
let entriesAfterHonest: number;
let slots: Slot[];
const copies: Project[] = [];

const copyOf = async (p: Project) => {
  const c = await copyProject(p);
  copies.push(c);
  return c;
};
const evidence = (audit: AuditReport, id: string) => checkOf(audit, id).evidence.join('\n');
const analyze = (p: Project) => ok(p, ['analyze', EXAMPLE, '--json']).then((r) => JSON.parse(r.stdout) as AnalysisReport);

beforeAll(async () => {
  ({ complete: base, partial } = await completeAndPartial());
  await analyze(base);
  honest = await auditOf(base);
  entriesAfterHonest = (await registry(base)).length;
  honestText = await harness(['audit', EXAMPLE], { cwd: base.dir });
  slots = (await readJson<{ slots: Slot[] }>(path.join(base.runsDir, 'schedule.json'))).slots;
}, 240_000);

afterAll(async () => {
  await Promise.all([base, partial, ...copies].filter(Boolean).map((p) => p.cleanup()));
});

describe('audit of the honest complete set', () => {
  it('passes: exit 0, every check PASS, audit.json schema-valid, registered', async () => {
    expect(honest.exitCode).toBe(0);
    expect(honest.audit.passed).toBe(true);
    expect(honest.audit.checks.map((c) => c.id)).toEqual(CHECKS);
    expect(honest.audit.checks.filter((c) => c.status !== 'PASS')).toEqual([]);
    expect(schemaProblems('audit', honest.audit)).toEqual([]);
    expect(evidence(honest.audit, 'sample-size')).toContain(`TASK-004: ${PAIRS_PER_TASK}/${PAIRS_PER_TASK} pairs analysed`);
    expect(evidence(honest.audit, 'pairs-intact')).toContain(`${PAIRS}/${PAIRS} complete pairs intact`);
    expect(evidence(honest.audit, 'registry-and-locks-verify')).toMatch(new RegExp(`^${2 * PAIRS} locked runs re-hashed`));
    const md = await fs.readFile(path.join(base.runsDir, 'audit', 'audit.md'), 'utf8');
    expect(md).toMatch(/^# Audit of exp-001-role-vs-goal: PASS\n/);
    for (const id of CHECKS) expect(md).toContain(`## PASS ${id}: `);
    const entries = await registry(base);
    const audited = entries.at(-1)!;
    expect(audited.type).toBe('audited');
    expect(audited.data).toMatchObject({ passed: true, findings: 0 });
    expect(honest.audit.inputs.registryHead).toEqual(entries.at(-2)!.digest);
  });

  it('auditing again with nothing changed is up to date and appends nothing', async () => {
    expect(honestText.exitCode).toBe(0);
    expect(honestText.stdout).toMatch(/^PASS {2}frozen-before-first-run: /);
    expect(honestText.stdout).toMatch(/audit PASSED; up to date \(nothing registered since\): /);
    expect(await registry(base)).toHaveLength(entriesAfterHonest);
  });
});

describe.concurrent('planted violations, each on its own copy', () => {
  it('(a) a pair with mismatched seeds: pairs-intact, pins-match-freeze and registry-and-locks-verify fail', async () => {
    const p = await copyOf(base);
    const slot = slots.find((s) => s.pairId === 'pair-0002' && s.variant === 'role-centric')!;
    const runId = `${slot.pairId}-${slot.task}-${slot.variant}-a1`;
    const file = path.join(p.runsDir, runId, 'manifest.json');
    await fs.chmod(file, 0o644);
    const m = await readJson<{ seed: number }>(file);
    m.seed += 1;
    await fs.writeFile(file, `${JSON.stringify(withSelfDigest(m), null, 2)}\n`);

    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    expect(audit.passed).toBe(false);
    expect(failed(audit)).toEqual(['pairs-intact', 'pins-match-freeze', 'registry-and-locks-verify']);
    expect(evidence(audit, 'pins-match-freeze')).toContain(`${runId}: slot ${slot.index} (seed ${slot.seed + 1}) differs from the freeze record`);
    expect(evidence(audit, 'pairs-intact')).toContain(`pair-0002: pin seed differs: role-centric has ${slot.seed + 1}, goal-centric has ${slot.seed}`);
    expect(evidence(audit, 'registry-and-locks-verify')).toMatch(new RegExp(`${runId}/manifest\\.json: modified: expected sha256 [0-9a-f]{64}, actual [0-9a-f]{64}`));
    expect(evidence(audit, 'registry-and-locks-verify')).toContain(`${runId}/manifest.json: permission loosened`);
    const md = await fs.readFile(path.join(p.runsDir, 'audit', 'audit.md'), 'utf8');
    expect(md).toMatch(/^# Audit of exp-001-role-vs-goal: FAIL\n/);
    expect(md).toContain('## FAIL pairs-intact: ');
    const last = (await registry(p)).at(-1)!;
    expect(last.type).toBe('audited');
    expect(last.data).toMatchObject({ passed: false, findings: 3 });
  }, SLOW);

  it('(b) pairs never run: exclusions-registered and sample-size name them; registered exclusions satisfy the first', async () => {
    const p = await copyOf(partial);
    const missing = [...new Set(slots.filter((s) => s.task !== 'TASK-001').map((s) => s.pairId))].sort();
    expect(missing).toHaveLength(PAIRS - PAIRS_PER_TASK);
    const first = await auditOf(p);
    expect(first.exitCode).toBe(1);
    const ex = checkOf(first.audit, 'exclusions-registered');
    expect(ex.status).toBe('FAIL');
    for (const pair of missing) expect(ex.evidence).toContain(`${pair}: not analysed and no registered exclusion`);
    const size = evidence(first.audit, 'sample-size');
    for (const t of TASKS.slice(1)) expect(size).toContain(`${t}: 0 analysable pairs, fewer than the registered ${PAIRS_PER_TASK}`);
    expect(checkOf(first.audit, 'sample-size').status).toBe('FAIL');
    expect(checkOf(first.audit, 'registry-and-locks-verify').status).toBe('PASS');

    // An exclusion under a rule the pre-registration does not have is refused (exit 2), nothing registered.
    const before = (await registry(p)).length;
    const bad = await harness(['exclude', EXAMPLE, '--pair-id', missing[0]!, '--rule', 'looked-bad', '--reason', 'x'], { cwd: p.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: "looked-bad" is not an exclusion rule of the pre-registration$/m);
    expect(bad.stderr).toMatch(/^hint: registered rules: infrastructure-failure, harness-fault, pairing-failure$/m);
    const unknown = await harness(['exclude', EXAMPLE, '--pair-id', 'pair-0999', '--rule', 'infrastructure-failure', '--reason', 'x'], { cwd: p.dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/pair-0999 is not a pair of the frozen schedule/);
    expect(await registry(p)).toHaveLength(before);

    // All at once: appends to the registry are serialised by its lock, the chain stays intact.
    await Promise.all(missing.map(async (pair) => {
      const r = await ok(p, ['exclude', EXAMPLE, '--pair-id', pair, '--rule', 'infrastructure-failure', '--reason', 'API outage, 3 attempts failed', '--json']);
      expect(JSON.parse(r.stdout)).toMatchObject({ pairId: pair, rule: 'infrastructure-failure' });
    }));
    const twice = await harness(['exclude', EXAMPLE, '--pair-id', missing[0]!, '--rule', 'infrastructure-failure', '--reason', 'again'], { cwd: p.dir });
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toMatch(new RegExp(`${missing[0]} is already excluded`));
    const excluded = (await registry(p)).filter((e) => e.type === 'excluded');
    expect(excluded.map((e) => e.data.pairId).sort()).toEqual(missing);

    const after = await auditOf(p);
    expect(checkOf(after.audit, 'exclusions-registered').status).toBe('PASS');
    expect(evidence(after.audit, 'exclusions-registered')).toContain(`${missing.length} pairs excluded (whole pairs) of ${PAIRS}`);
    expect(evidence(after.audit, 'exclusions-registered')).toContain(`${missing[0]} excluded under "infrastructure-failure" at `);
    expect(evidence(after.audit, 'exclusions-registered')).not.toContain('with the outcome known');
    expect(checkOf(after.audit, 'registry-and-locks-verify').status).toBe('PASS');
    // Excluded pairs are not analysable pairs: the registered minimum per task is still missed.
    expect(checkOf(after.audit, 'sample-size').status).toBe('FAIL');
  }, SLOW);

  it('(c) an unblinded early look: no-early-unblinded-looks fails citing the reason', async () => {
    const p = await copyOf(partial);
    const peek = JSON.parse((await ok(p, ['analyze', EXAMPLE, '--unblind', '--reason', 'peek', '--json'])).stdout) as AnalysisReport;
    expect(peek.blinded).toBe(false);
    await run(p);
    const final = await analyze(p);
    expect(final.blinded).toBe(false);
    expect(final.primary!.n).toBe(PAIRS);
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    expect(failed(audit)).toEqual(['no-early-unblinded-looks']);
    const early = checkOf(audit, 'no-early-unblinded-looks').evidence;
    expect(early.filter((e) => e.startsWith('unblinded look'))).toHaveLength(1);
    expect(early[0]).toMatch(new RegExp(`^unblinded look at \\S+ by \\S+ at ${PAIRS_PER_TASK}/${PAIRS} pairs: "peek"$`));
  }, SLOW);

  it('(d) a config edited after freezing: inputs-unchanged fails naming experiment.yaml', async () => {
    const p = await copyOf(base);
    const file = path.join(p.expDir, 'experiment.yaml');
    const text = await fs.readFile(file, 'utf8');
    expect(text).toMatch(/maxTurns: 20\n/);
    await fs.writeFile(file, text.replace(/maxTurns: 20\n/, 'maxTurns: 21\n'));
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    expect(failed(audit)).toEqual(['inputs-unchanged']);
    expect(evidence(audit, 'inputs-unchanged')).toMatch(/experiments\/exp-001-role-vs-goal\/experiment\.yaml: experiment config changed: frozen sha256:[0-9a-f]{12}…, now sha256:[0-9a-f]{12}… \(after freezing\)/);
    // analyze and exclude act on the pre-registration as frozen: they refuse changed inputs and write nothing.
    const before = await registry(p);
    for (const args of [['analyze', EXAMPLE, '--unblind', '--reason', 'look'], ['exclude', EXAMPLE, '--pair-id', slots[0]!.pairId, '--rule', 'harness-fault', '--reason', 'x']]) {
      const r = await ok(p, args, 2);
      expect(r.stderr, args[0]).toContain(`error: the inputs of ${EXAMPLE} changed since it was frozen`);
      expect(r.stderr, args[0]).toMatch(/experiments\/exp-001-role-vs-goal\/experiment\.yaml: experiment config changed/);
    }
    expect(await registry(p)).toEqual(before);
    // status still shows the set, and says why the others refuse it.
    const shown = await ok(p, ['status', EXAMPLE]);
    expect(shown.stdout).toContain('note: the experiment changed since it was frozen; run, analyze and exclude refuse the set until the change is undone or recorded');
    expect(shown.stdout).toMatch(/^ {2}.*experiment\.yaml: experiment config changed: frozen sha256:/m);
  }, SLOW);

  it('(d) a pre-registration whose secondary plan differs from what the analysis used: analysis-as-registered names sidedness and log ratios', async () => {
    const p = await copyOf(base);
    const file = path.join(p.expDir, 'preregistration.yaml');
    const text = await fs.readFile(file, 'utf8');
    expect(text).toMatch(/ {2}sidedness: two-sided\n {2}correction: holm\n {2}logRatio: \[totalTokens, costUsd, wallTimeSeconds\]\n/);
    await fs.writeFile(file, text.replace(/ {2}sidedness: two-sided\n {2}correction: holm\n {2}logRatio: \[totalTokens, costUsd, wallTimeSeconds\]\n/, '  sidedness: greater\n  correction: holm\n  logRatio: [totalTokens]\n'));
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    expect(failed(audit)).toEqual(['analysis-as-registered', 'inputs-unchanged']);
    const found = evidence(audit, 'analysis-as-registered');
    expect(found).toContain('secondary sidedness: used "two-sided", registered "greater"');
    expect(found).toContain('log-ratio metrics: used ["totalTokens","costUsd","wallTimeSeconds"], registered ["totalTokens"]');
    expect(found).toContain('log ratios computed for metrics not registered for one: costUsd, wallTimeSeconds');
  }, SLOW);

  it('(d) an edited report.json (or one an analyze stopped before registering): analysis-as-registered fails, saying how to write it anew', async () => {
    const p = await copyOf(base);
    const file = path.join(p.runsDir, 'analysis', 'report.json');
    const report = JSON.parse(await fs.readFile(file, 'utf8')) as AnalysisReport;
    report.primary!.pValue = 0.5;
    await fs.writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    expect(failed(audit)).toEqual(['analysis-as-registered']);
    expect(evidence(audit, 'analysis-as-registered')).toContain(`analysis/report.json is not a report any registered analyze call wrote: edited, or written by an analyze stopped before it registered the report; \`harness analyze ${EXAMPLE}\` writes and registers it anew`);
  }, SLOW);

  it('(e) a pair deleted: registry-and-locks-verify names both run folders, the pair is not analysed until excluded', async () => {
    const p = await copyOf(base);
    const pair = slots.find((s) => s.task === 'TASK-002' && s.pairId !== 'pair-0002')!.pairId;
    const runIds = slots.filter((s) => s.pairId === pair).map((s) => `${s.pairId}-${s.task}-${s.variant}-a1`);
    for (const id of runIds) {
      await fs.chmod(path.join(p.runsDir, id), 0o755);
      await fs.rm(path.join(p.runsDir, id), { recursive: true, force: true });
    }
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    expect(failed(audit)).toEqual(['exclusions-registered', 'registry-and-locks-verify', 'sample-size']);
    for (const id of runIds) expect(evidence(audit, 'registry-and-locks-verify')).toMatch(new RegExp(`${id}: run folder deleted or renamed: registry entry \\d+ locked it`));
    expect(checkOf(audit, 'exclusions-registered').evidence).toContain(`${pair}: not analysed and no registered exclusion`);
    expect(evidence(audit, 'sample-size')).toContain(`TASK-002: ${PAIRS_PER_TASK - 1} analysable pairs, fewer than the registered ${PAIRS_PER_TASK}`);
    expect(evidence(audit, 'pairs-intact')).toContain(`${PAIRS - 1}/${PAIRS - 1} complete pairs intact`);
    // Nothing dates their start any more (a registry entry's time is its batch's): left out of the order check.
    expect(evidence(audit, 'schedule-order')).toContain(`2 left out, their manifest missing or unreadable (nothing dates their start): ${runIds.join(', ')}`);

    // A lost run directory is what the harness-fault rule is for: excluded, the pair drops out whole.
    // Both its runs had been locked, and neither failed: made with the outcome known, the exclusion fails the audit for a reader to judge.
    const excluded = await ok(p, ['exclude', EXAMPLE, '--pair-id', pair, '--rule', 'harness-fault', '--reason', 'run folders lost']);
    expect(excluded.stdout).toContain("note: every run of the pair was locked with a result and none had failed: made with the outcome known, this exclusion fails the audit's exclusions-registered check");
    const report = await analyze(p);
    expect(report.blinded).toBe(false);
    expect(report.primary!.n).toBe(PAIRS - 1);
    expect(report.primary!.perTask.find((t) => t.task === 'TASK-002')!.n).toBe(PAIRS_PER_TASK - 1);
    expect(report.exclusions).toEqual([{ pairId: pair, rule: 'harness-fault', reason: 'run folders lost' }]);
    const after = await auditOf(p);
    // The final analysis of every pair not excluded is not an early look.
    expect(failed(after.audit)).toEqual(['exclusions-registered', 'registry-and-locks-verify', 'sample-size']);
    expect(evidence(after.audit, 'exclusions-registered')).toContain(`${pair}: excluded under "harness-fault" with the outcome known (every run of the pair locked, none failed): "run folders lost"`);
    expect(evidence(after.audit, 'exclusions-registered')).toMatch(new RegExp(`${pair} excluded under "harness-fault" at \\S+: 0 failed attempts of the pair recorded before, 2 of its runs locked before`));
  }, SLOW);

  it('(f) more pairs than registered: sample-size fails with "extra pairs" and inputs-unchanged names both files', async () => {
    const p = await copyOf(base);
    // The registration (and config) now say 2 pairs per task, but 3 were scheduled and run.
    for (const name of ['experiment.yaml', 'preregistration.yaml']) {
      const file = path.join(p.expDir, name);
      await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace(/pairsPerTask: 3\n/, 'pairsPerTask: 2\n').replace(/minimumPairsPerTask: 3\n/, 'minimumPairsPerTask: 2\n'));
    }
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    for (const t of TASKS) expect(checkOf(audit, 'sample-size').evidence).toContain(`${t}: ${PAIRS_PER_TASK} pairs scheduled, 2 registered (extra pairs)`);
    const inputs = evidence(audit, 'inputs-unchanged');
    expect(inputs).toMatch(/experiment\.yaml: experiment config changed: .* \(after freezing\)/);
    expect(inputs).toMatch(/preregistration\.yaml: pre-registration changed: .* \(after freezing\)/);
    expect(failed(audit)).toEqual(expect.arrayContaining(['inputs-unchanged', 'sample-size']));
  }, SLOW);

  it('(f) pairs added by a recorded re-freeze: inputs-unchanged lists the deviation, earlier runs no longer match the freeze', async () => {
    const p = await copyOf(base);
    const cfg = path.join(p.expDir, 'experiment.yaml');
    const pre = path.join(p.expDir, 'preregistration.yaml');
    await fs.writeFile(cfg, (await fs.readFile(cfg, 'utf8')).replace(/pairsPerTask: 3\n/, 'pairsPerTask: 4\n'));
    // The config alone disagrees with the registration's planned N: refused, nothing written.
    const refused = await harness(['freeze', EXAMPLE, '--deviation', 'more pairs'], { cwd: p.dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/preregistration\.yaml:\d+:\d+ \/plannedN\/pairsPerTask: plans 3 pairs per task but experiment\.yaml design\.pairsPerTask is 4/);
    await fs.writeFile(pre, (await fs.readFile(pre, 'utf8')).replace(/pairsPerTask: 3\n/, 'pairsPerTask: 4\n'));
    const refrozen = await freeze(p, ['--deviation', 'more pairs']);
    expect(refrozen.stdout).toMatch(/^recorded a deviation and re-froze exp-001-role-vs-goal/);
    const ran = await run(p);
    expect(ran.stdout).toContain(`note: ${PAIRS * 2} of these locked runs were pinned before the set was re-frozen (a recorded deviation); they stand as they were made, and the audit lists them.`);
    const report = await analyze(p);
    expect(report.primary!.n).toBe(TASKS.length * 4);
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    expect(evidence(audit, 'inputs-unchanged')).toMatch(/deviation recorded at \S+ by \S+: inputs changed and re-frozen \(more pairs\)/);
    // Runs pinned before the re-freeze carry the old freeze record's digests.
    expect(evidence(audit, 'pins-match-freeze')).toContain('pair-0001-TASK-001-goal-centric-a1: freeze digest differs from the freeze record');
    expect(failed(audit)).toEqual(expect.arrayContaining(['inputs-unchanged', 'pins-match-freeze']));
    // Redoing one run of an old pair under the new freeze breaks the pair until its partner is redone too; rerun says so.
    const [one, other] = ['goal-centric', 'role-centric'].map((v) => `pair-0001-TASK-001-${v}-a1`);
    const first = await ok(p, ['rerun', one!, '--reason', 'redo under the new freeze']);
    expect(first.stdout).toContain(`note: its pair is broken until ${other} is redone too (\`harness rerun ${other} --reason "…"\`): pin experiment.configDigest differs`);
    const second = await ok(p, ['rerun', other!, '--reason', 'redo under the new freeze']);
    expect(second.stdout).not.toContain('note:');
  }, SLOW);

  it('(g) a failed result retried: retries-infrastructure-only fails quoting the reason', async () => {
    const p = await copyOf(base);
    const loser = (await runsOnDisk(p)).find((r) => !r.success);
    expect(loser, 'the honest set has a run that failed its checks').toBeDefined();
    const reason = "didn't like it";
    const r = await ok(p, ['rerun', loser!.runId, '--reason', reason, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ superseded: loser!.runId, newRunId: loser!.runId.replace(/-a1$/, '-a2') });
    const superseded = (await registry(p)).filter((e) => e.type === 'superseded');
    expect(superseded.map((e) => [e.data.runId, e.data.reason])).toEqual([[loser!.runId, reason]]);
    expect(existsSync(path.join(p.runsDir, loser!.runId, 'lock.json'))).toBe(true); // kept on disk
    await analyze(p);
    const { exitCode, audit } = await auditOf(p);
    expect(exitCode).toBe(1);
    const retries = checkOf(audit, 'retries-infrastructure-only');
    expect(retries.status).toBe('FAIL');
    expect(retries.evidence).toContain(`${loser!.runId} (a completed result, failed checks) was redone: "${reason}" by rerun at ${superseded[0]!.at}`);
    expect(retries.evidence).toContain('0 infrastructure retries, 1 superseded results');
    // The superseded run is still audited: its pins match, and it still verifies.
    expect(checkOf(audit, 'pins-match-freeze').status).toBe('PASS');
    expect(checkOf(audit, 'registry-and-locks-verify').status).toBe('PASS');
  }, SLOW);

  it('(h) a result cannot be replaced by hand: a second pin beside an unfinished attempt, and a lock of an attempt given up, are refused', async () => {
    const p = await copyOf(partial);
    const slot = slots.find((s) => s.task === 'TASK-002')!;
    const flags = ['--experiment', EXAMPLE, '--variant', slot.variant, '--task', slot.task, '--seed', String(slot.seed), '--pair-id', slot.pairId];
    const [first, second] = [1, 2].map((a) => `${slot.pairId}-${slot.task}-${slot.variant}-a${a}`);
    const manifest = path.join(p.runsDir, first!, 'manifest.json');
    await ok(p, ['pin-and-run', '--init', ...flags]);
    expect((await ok(p, ['pin-and-run', '--init', ...flags], 2)).stderr).toContain(`has an unfinished attempt, ${first}`);
    // run gives the first attempt up and locks a second; the first, finished by hand, is not locked.
    await ok(p, ['run', EXAMPLE, '--only', `task=${slot.task},variant=${slot.variant}`]);
    await ok(p, ['pin-and-run', '--execute', '--manifest', manifest]);
    await ok(p, ['evaluate', '--manifest', manifest]);
    const refused = await ok(p, ['lock-run', path.dirname(manifest)], 2);
    expect(refused.stderr).toMatch(new RegExp(`^error: ${first} was given up \\(registered abandoned at \\S+\\); an attempt given up is never locked$`, 'm'));
    expect(existsSync(path.join(p.runsDir, first!, 'lock.json'))).toBe(false);
    const current = (await registry(p)).filter((e) => e.type === 'locked' && e.data.pairId === slot.pairId && e.data.variant === slot.variant);
    expect(current.map((e) => e.data.runId)).toEqual([second]);
  }, SLOW);
});
