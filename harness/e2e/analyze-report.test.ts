import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDigest } from '../core/digest.js';
import type { AnalysisReport } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';
import { reportMarkdown } from '../analysis/report-markdown.js';
import { reportHtml } from '../analysis/report-html.js';
import { mcnemarExact } from '../analysis/stats/index.js';
import { EXAMPLE, harness } from '../test-support/cli.js';
import { completeAndPartial, copyProject, ok, PAIRS_PER_TASK, readJson, registry, runsOnDisk, TASKS, type Project } from './analyze-support.js';

// analyze on a small honest run set: report.json (schema-valid, numbers recomputed here from the
// scorecards), report.md, a self-contained report.html, the registry's record of every look, the
// make-style "up to date", and blinding until every registered pair is in.

const PAIRS = TASKS.length * PAIRS_PER_TASK;
const TREATMENT = 'goal-centric';
const CONTROL = 'role-centric';

let complete: Project;
let partial: Project; // only TASK-001's pairs run: incomplete, so outcomes are blinded
const copies: Project[] = [];

beforeAll(async () => {
  ({ complete, partial } = await completeAndPartial());
}, 180_000);

afterAll(async () => {
  await Promise.all([complete, partial, ...copies].filter(Boolean).map((p) => p.cleanup()));
});

const files = (p: Project) => ({
  json: path.join(p.runsDir, 'analysis', 'report.json'),
  md: path.join(p.runsDir, 'analysis', 'report.md'),
  html: path.join(p.runsDir, 'analysis', 'report.html'),
});

describe('analyze on a complete honest run set', () => {
  let report: AnalysisReport;

  it('writes report.json (schema-valid, as printed by --json), report.md and report.html', async () => {
    const before = await registry(complete);
    const r = await ok(complete, ['analyze', EXAMPLE, '--json']);
    report = JSON.parse(r.stdout) as AnalysisReport;
    const f = files(complete);
    expect(await readJson<AnalysisReport>(f.json)).toEqual(report);
    expect(schemaProblems('report', report)).toEqual([]);
    expect(existsSync(f.md) && existsSync(f.html)).toBe(true);

    expect(report.experiment).toBe(EXAMPLE);
    expect(report.simulated).toBe(true);
    expect(report.provider).toBe('sim');
    expect(report.blinded).toBe(false);
    expect(report.unblindReason).toBeNull();
    expect(report.plan.primary).toEqual({ test: 'mcnemar-exact', sidedness: 'two-sided', alpha: 0.05 });
    expect(report.plan.hypothesis).toMatchObject({ treatment: TREATMENT, control: CONTROL });
    expect(report.progress).toMatchObject({ pairsPlanned: PAIRS, pairsComplete: PAIRS, pairsExcluded: 0, pairsIncomplete: 0, runsLocked: 2 * PAIRS });
    // It names the registry head and the freeze record it was computed from.
    expect(report.inputs.registryHead).toEqual(before.at(-1)!.digest);
    expect(report.inputs.registryEntries).toBe(before.length);
    expect(report.inputs.freezeDigest).toEqual((await readJson<{ digest: unknown }>(path.join(complete.runsDir, 'experiment.lock.json'))).digest);
    expect(report.secondary!.map((s) => s.metric)).toEqual(['constraintAdherence', 'turns', 'totalTokens', 'costUsd', 'wallTimeSeconds']);
  });

  it('the primary result equals what the scorecards give, computed independently', async () => {
    const runs = await runsOnDisk(complete);
    expect(runs).toHaveLength(2 * PAIRS);
    // The current run of each slot: the latest attempt (no rerun happened in this set).
    const current = new Map<string, (typeof runs)[number]>();
    for (const x of runs) {
      const key = `${x.pairId}/${x.variant}`;
      if ((current.get(key)?.attempt ?? 0) < x.attempt) current.set(key, x);
    }
    const pairIds = [...new Set(runs.map((x) => x.pairId))].sort();
    expect(pairIds).toHaveLength(PAIRS);
    let b = 0, c = 0;
    const perTask = new Map(TASKS.map((t) => [t, { n: 0, b: 0, c: 0 }]));
    const successes = { [TREATMENT]: 0, [CONTROL]: 0 };
    for (const id of pairIds) {
      const t = current.get(`${id}/${TREATMENT}`)!, k = current.get(`${id}/${CONTROL}`)!;
      expect(t.task).toBe(k.task);
      const row = perTask.get(t.task)!;
      row.n++;
      if (t.success && !k.success) { b++; row.b++; }
      if (!t.success && k.success) { c++; row.c++; }
      successes[TREATMENT] += Number(t.success);
      successes[CONTROL] += Number(k.success);
    }
    const pr = report.primary!;
    expect([pr.n, pr.b, pr.c]).toEqual([PAIRS, b, c]);
    const exact = mcnemarExact(b, c, 'two-sided');
    expect(pr.pValue).toBe(exact.pValue);
    expect(pr.midPValue).toBe(exact.midPValue);
    expect(pr.significant).toBe(exact.pValue < 0.05);
    expect(pr.riskDifference.estimate).toBeCloseTo((b - c) / PAIRS, 12);
    expect(pr.perTask.map((x) => [x.task, x.n, x.b, x.c])).toEqual(TASKS.map((t) => [t, perTask.get(t)!.n, perTask.get(t)!.b, perTask.get(t)!.c]));
    const all = (v: string) => pr.successRates.find((s) => s.task === 'all' && s.variant === v)!;
    expect([all(TREATMENT).successes, all(TREATMENT).n]).toEqual([successes[TREATMENT], PAIRS]);
    expect([all(CONTROL).successes, all(CONTROL).n]).toEqual([successes[CONTROL], PAIRS]);
    // The simulator's variants differ measurably: the set has discordant pairs to test.
    expect(b + c).toBeGreaterThan(0);
  });

  it('report.md carries the banner, the numbers and the inputs', async () => {
    const md = await fs.readFile(files(complete).md, 'utf8');
    expect(md).toMatch(/^> \*\*SIMULATED\*\*: these runs came from the offline simulator/);
    expect(md).toContain(`b = ${report.primary!.b} (only ${TREATMENT} succeeded), c = ${report.primary!.c} (only ${CONTROL} succeeded)`);
    expect(md).toContain(`registry head sha256:${report.inputs.registryHead.sha256}`);
    expect(md).toContain(`freeze record sha256:${report.inputs.freezeDigest.sha256}`);
    expect(md).toMatch(/## Secondary outcomes \(wilcoxon-signed-rank, two-sided, holm-corrected\)/);
    // With c = 0 the odds ratio b/c and its upper bound are infinite (null in JSON), not "n/a".
    const allTreatment = { ...report, primary: { ...report.primary!, b: 5, c: 0, oddsRatio: { estimate: null, lower: 2.1, upper: null } } };
    expect(reportMarkdown(allTreatment)).toContain('odds ratio b/c ∞ (95% CI 2.10 to ∞)');
    // With no discordant pair there is no ratio (the exact interval's lower bound is 0): no interval either.
    const none = { ...report, primary: { ...report.primary!, b: 0, c: 0, significant: false, favours: null, asHypothesised: false, oddsRatio: { estimate: null, lower: 0, upper: null } } };
    expect(reportMarkdown(none)).toContain('; odds ratio b/c undefined (no discordant pairs).');
    expect(reportMarkdown(none)).toContain(': not significant at alpha 0.05; the discordant pairs split evenly.');
    // A significant result against the hypothesis says so; the interval level follows the test.
    const reversed = { ...report, primary: { ...report.primary!, b: 0, c: 18, significant: true, favours: CONTROL, asHypothesised: false, confLevel: 0.9, sidedness: 'greater' as const } };
    const md2 = reportMarkdown(reversed);
    expect(md2).toContain(`**significant** at alpha 0.05; ${CONTROL} succeeded alone more often, opposite to the hypothesised direction (greater).`);
    expect(md2).toContain('(90% Newcombe CI');
    expect(md2).toContain('Intervals are 90% two-sided (1 - 2 alpha): for the greater test, the bound on its side is the one-sided 95% bound.');
    expect(md2).toContain('| task | pairs | b | c | risk difference (90% CI) |');
    // A task with no analysable pair has no estimate: n/a, not 0 with a made-up interval.
    const empty = { ...report, primary: { ...report.primary!, perTask: [{ task: 'TASK-006', n: 0, b: 0, c: 0, riskDifference: null }], successRates: [{ variant: TREATMENT, task: 'TASK-006', successes: 0, n: 0, rate: null, lower: null, upper: null }] } };
    const md3 = reportMarkdown(empty);
    expect(md3).toContain('| TASK-006 | 0 | 0 | 0 | n/a (no pairs) |');
    expect(md3).toContain(`| ${TREATMENT} | TASK-006 | 0/0 | n/a |`);
    expect(reportHtml(empty, md3)).toContain('n/a (no pairs)</text>');
  });

  it('report.html is self-contained: inline SVG, the SIMULATED banner, the digests; no scripts, nothing fetched', async () => {
    const html = await fs.readFile(files(complete).html, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toMatch(/<div class="banner">SIMULATED: these runs came from the offline simulator/);
    expect(html).toContain(report.inputs.registryHead.sha256);
    expect(html).toContain(report.inputs.freezeDigest.sha256);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|<img|<iframe|@import|url\(/i);
    const urls = [...html.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*/gi)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    for (const t of TASKS) expect(html).toContain(`${t} (n=${PAIRS_PER_TASK})`);
  });

  it('the registry records the analysis: who, at how many pairs, unblinded, and the report digest', async () => {
    const last = (await registry(complete)).at(-1)!;
    expect(last.type).toBe('analysed');
    expect(last.data).toMatchObject({ pairsLocked: PAIRS, pairsPlanned: PAIRS, blinded: false, reportDigest: jsonDigest(report) });
    expect(typeof last.data.who).toBe('string');
    expect(last.data.who).not.toBe('');
  });

  it('a second analyze with nothing new registered is up to date: same report, nothing appended', async () => {
    const before = await fs.readFile(path.join(complete.runsDir, 'registry.jsonl'), 'utf8');
    const json = await fs.readFile(files(complete).json, 'utf8');
    const r = await ok(complete, ['analyze', EXAMPLE]);
    expect(r.stdout).toMatch(/\nup to date \(nothing registered since the last analysis\): /);
    expect(r.stdout).toContain(`b = ${report.primary!.b}`);
    expect(await fs.readFile(path.join(complete.runsDir, 'registry.jsonl'), 'utf8')).toBe(before);
    expect(await fs.readFile(files(complete).json, 'utf8')).toBe(json);
    const again = await ok(complete, ['analyze', EXAMPLE, '--json']);
    expect(JSON.parse(again.stdout)).toEqual(report);
  });

  it('a standing report whose report.md was edited and report.html deleted: both are written anew from report.json, still nothing appended', async () => {
    const p = await copyProject(complete);
    copies.push(p);
    const f = files(p);
    const [md, html, before] = await Promise.all([fs.readFile(f.md, 'utf8'), fs.readFile(f.html, 'utf8'), registry(p)]);
    await fs.writeFile(f.md, md.replace(`b = ${report.primary!.b}`, 'b = 0'));
    await fs.rm(f.html);
    const r = await ok(p, ['analyze', EXAMPLE]);
    expect(r.stdout).toMatch(/\nup to date \(nothing registered since the last analysis\): /);
    expect(r.stdout).toContain(`b = ${report.primary!.b}`);
    expect(await fs.readFile(f.md, 'utf8')).toBe(md);
    expect(await fs.readFile(f.html, 'utf8')).toBe(html);
    expect(await registry(p)).toEqual(before);
  });

  it('a run folder of a pair it would analyse deleted: refused (exit 1) naming the folder, not reported from the standing report', async () => {
    const p = await copyProject(complete);
    copies.push(p);
    const runId = (await registry(p)).find((e) => e.type === 'locked')!.data.runId as string;
    await fs.chmod(path.join(p.runsDir, runId), 0o755);
    await fs.rm(path.join(p.runsDir, runId), { recursive: true });
    const r = await ok(p, ['analyze', EXAMPLE], 1);
    expect(r.stderr).toMatch(new RegExp(`runs/${EXAMPLE}/${runId}: run folder deleted or renamed: registry entry \\d+ locked it`));
  });

  it('--unblind on a complete set records no deviation (there is nothing to unblind)', async () => {
    const p = await copyProject(complete);
    copies.push(p);
    const before = await registry(p);
    const r = JSON.parse((await ok(p, ['analyze', EXAMPLE, '--unblind', '--reason', 'habit', '--json'])).stdout) as AnalysisReport;
    expect(r.blinded).toBe(false);
    expect(r.unblindReason).toBeNull();
    const added = (await registry(p)).slice(before.length);
    expect(added.map((e) => e.type)).toEqual(['analysed']);
    const text = await ok(p, ['analyze', EXAMPLE, '--unblind', '--reason', 'habit']);
    expect(text.stdout).toContain('note: nothing was blinded, so --unblind changed nothing and its reason was not recorded\n');
  });
});

describe('blinding: analyze before every registered pair is in', () => {
  it('shows no outcomes by variant, only pooled progress, and records the look', async () => {
    const p = await copyProject(partial);
    copies.push(p);
    const before = await registry(p);
    const r = await ok(p, ['analyze', EXAMPLE, '--json']);
    const report = JSON.parse(r.stdout) as AnalysisReport;
    expect(schemaProblems('report', report)).toEqual([]);
    expect(report.blinded).toBe(true);
    expect(report.primary).toBeNull();
    expect(report.secondary).toBeNull();
    expect(report.progress).toMatchObject({ pairsPlanned: PAIRS, pairsComplete: PAIRS_PER_TASK, pairsIncomplete: PAIRS - PAIRS_PER_TASK, runsLocked: 2 * PAIRS_PER_TASK });
    const added = (await registry(p)).slice(before.length);
    expect(added.map((e) => e.type)).toEqual(['analysed']);
    expect(added[0]!.data).toMatchObject({ pairsLocked: PAIRS_PER_TASK, pairsPlanned: PAIRS, blinded: true, reportDigest: jsonDigest(report) });

    const f = files(p);
    const md = await fs.readFile(f.md, 'utf8');
    expect(md).toContain('## Outcomes withheld (blinded)');
    expect(md).not.toMatch(/Primary outcome|b = \d|success \|/);
    const html = await fs.readFile(f.html, 'utf8');
    expect(html).not.toContain('<svg');
    expect(html).toContain('SIMULATED');
    // Nothing in the blinded report is an outcome by variant.
    expect(JSON.stringify(report)).not.toMatch(/successRates|"b":|pValue/);
    const text = await ok(p, ['analyze', EXAMPLE]);
    expect(text.stdout).toMatch(/up to date/);
    expect(text.stdout).not.toMatch(/b = \d/);
  });

  it('--unblind without --reason is a usage error (exit 2) that records nothing', async () => {
    const p = await copyProject(partial);
    copies.push(p);
    const before = await fs.readFile(path.join(p.runsDir, 'registry.jsonl'), 'utf8');
    const r = await harness(['analyze', EXAMPLE, '--unblind'], { cwd: p.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: --unblind needs --reason/m);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).toBe('');
    const blank = await harness(['analyze', EXAMPLE, '--unblind', '--reason', '  '], { cwd: p.dir });
    expect(blank.exitCode).toBe(2);
    expect(await fs.readFile(path.join(p.runsDir, 'registry.jsonl'), 'utf8')).toBe(before);
    expect(existsSync(path.join(p.runsDir, 'analysis'))).toBe(false);
  });

  it('--unblind --reason shows outcomes and registers an unblinded-look deviation with the reason', async () => {
    const p = await copyProject(partial);
    copies.push(p);
    const before = await registry(p);
    const reason = 'safety look after TASK-001';
    const report = JSON.parse((await ok(p, ['analyze', EXAMPLE, '--unblind', '--reason', reason, '--json'])).stdout) as AnalysisReport;
    expect(schemaProblems('report', report)).toEqual([]);
    expect(report.blinded).toBe(false);
    expect(report.unblindReason).toBe(reason);
    expect(report.primary!.n).toBe(PAIRS_PER_TASK);
    expect(report.primary!.perTask.map((t) => [t.task, t.n])).toEqual(TASKS.map((t) => [t, t === 'TASK-001' ? PAIRS_PER_TASK : 0]));
    const added = (await registry(p)).slice(before.length);
    expect(added.map((e) => e.type)).toEqual(['deviation', 'analysed']);
    expect(added[0]!.data).toMatchObject({ kind: 'unblinded-look', reason, details: { pairsComplete: PAIRS_PER_TASK, pairsPlanned: PAIRS } });
    expect(added[1]!.data).toMatchObject({ blinded: false, pairsLocked: PAIRS_PER_TASK, pairsPlanned: PAIRS });
    expect(await fs.readFile(files(p).md, 'utf8')).toContain(`> Unblinded before the planned N: ${reason} (recorded as a deviation).`);
  });
});
