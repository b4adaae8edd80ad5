import { promises as fs } from 'node:fs';
import path from 'node:path';
import { jsonDigest, sameDigest } from '../core/digest.js';
import type { EntryOf } from '../core/entries.js';
import { bug, checkFailed, inputError } from '../core/errors.js';
import type { AnalysisReport, RegistryEntry } from '../core/types/index.js';
import { buildDataset } from '../analysis/dataset.js';
import { buildReport } from '../analysis/build-report.js';
import { reportHtml } from '../analysis/report-html.js';
import { reportMarkdown } from '../analysis/report-markdown.js';
import { schemaProblems } from '../documents/schemas.js';
import { loadJsonIfValid } from '../documents/validate.js';
import { runsDirFlag } from '../experiment/locate.js';
import { requireUnchangedInputs, type FrozenSet } from '../pipeline/frozen-set.js';
import { readRunSet, requireRegisteredFreeze } from '../pipeline/open-run-set.js';
import { verifyStandingRuns } from '../pipeline/verify-experiment.js';
import { harnessVersion } from '../documents/package-root.js';
import { whoAmI } from '../pipeline/provenance.js';
import { writeFileAtomic, writeJsonAtomic } from '../store/atomic-write.js';
import { appendEntry } from '../store/registry.js';
import { verifyRegistryChain } from '../store/registry-verify.js';

export interface AnalyzeOptions {
  experiment: string;
  runsDir?: string;
  unblind?: boolean;
  reason?: string;
}

export interface AnalyzeResult {
  /** Nothing happened since the last analysis: the existing report stands, nothing was written. */
  upToDate: boolean;
  report: AnalysisReport;
  files: { json: string; markdown: string; html: string };
  markdown: string;
}

// analyze: the registered analysis over one run per slot. Every call is recorded in the registry
// (who looked, when, at how many pairs); an unblinded look before the planned N is a deviation.
export async function analyze(options: AnalyzeOptions): Promise<AnalyzeResult> {
  if (options.unblind && (options.reason ?? '').trim() === '') throw inputError('--unblind needs --reason "…"', { hint: 'the reason is recorded in the registry as a deviation and shown by the audit' });
  if (!options.unblind && options.reason !== undefined) throw inputError('--reason goes with --unblind', { hint: 'without --unblind nothing is unblinded, so there is no reason to record; drop --reason, or add --unblind' });
  const { exp, frozen, entries } = await readRunSet(options.experiment, options.runsDir);
  requireRegisteredFreeze(exp.config.id, frozen, entries);
  requireUnchangedInputs(exp, frozen);
  await requireIntactRuns(exp.config.id, frozen, entries);
  const dir = path.join(frozen.runsDir, 'analysis');
  const files = { json: path.join(dir, 'report.json'), markdown: path.join(dir, 'report.md'), html: path.join(dir, 'report.html') };
  const existing = options.unblind ? undefined : unchangedReport(entries, files.json);
  if (existing !== undefined) return { upToDate: true, report: existing, files, markdown: await writeViews(existing, files, { onlyChanged: true }) };
  const head = entries.at(-1)!;
  const data = await buildDataset(frozen, exp.preregistration, entries);
  const complete = data.incomplete.length === 0;
  const wantsBlind = exp.preregistration.blinding.outcomesHiddenUntilComplete && !complete;
  const blinded = wantsBlind && !options.unblind;
  const who = whoAmI();
  if (wantsBlind && options.unblind) {
    await appendEntry(frozen.files.registry, exp.config.id, 'deviation', {
      kind: 'unblinded-look', who, reason: options.reason!, details: { pairsComplete: data.pairs.length, pairsPlanned: data.pairsPlanned },
    });
  }
  const report = buildReport(data, exp.preregistration, {
    experiment: exp.config.id, provider: frozen.record.provider, pilot: frozen.record.pilot, tasks: exp.config.tasks, seed: exp.config.design.seed,
    registryHead: head.digest, registryEntries: entries.length, freezeDigest: frozen.record.digest, harnessVersion: harnessVersion(), now: new Date(),
  }, blinded, wantsBlind && options.unblind ? options.reason! : null);
  const problems = schemaProblems('report', report);
  if (problems.length > 0) throw bug(`the report does not match schemas/report.schema.json: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  await fs.mkdir(dir, { recursive: true });
  await writeJsonAtomic(files.json, report);
  const markdown = await writeViews(report, files, { onlyChanged: false });
  await appendEntry(frozen.files.registry, exp.config.id, 'analysed', {
    who, pairsLocked: data.pairs.length, pairsPlanned: data.pairsPlanned, blinded, reportDigest: jsonDigest(report),
  });
  return { upToDate: false, report, files, markdown };
}

// Only an unbroken registry and runs that still match their locks are analysed: the chain is
// checked, and every run standing for a slot of a pair that is not excluded (a run folder that is
// gone leaves its pair unanalysed, which verify and the audit name).
async function requireIntactRuns(experiment: string, frozen: FrozenSet, entries: readonly RegistryEntry[]): Promise<void> {
  const problems = [...(await verifyRegistryChain(frozen.files.registry)).problems, ...(await verifyStandingRuns(frozen.runsDir, entries))];
  if (problems.length > 0) {
    throw checkFailed(`the registry of ${experiment}, or runs the analysis would use, no longer match what was recorded`, {
      problems,
      hint: `\`harness verify ${experiment}${runsDirFlag(frozen.runsDir)}\` lists every problem; a run changed after locking is redone with \`harness rerun <run-id> --reason "…"\`, or its pair excluded`,
    });
  }
}

// report.md and report.html say what report.json says (which the registry's `analysed` entry
// pins); a report that stands has them written anew when they no longer do (edited or deleted).
async function writeViews(report: AnalysisReport, files: AnalyzeResult['files'], { onlyChanged }: { onlyChanged: boolean }): Promise<string> {
  const markdown = reportMarkdown(report);
  for (const [file, text] of [[files.markdown, markdown], [files.html, reportHtml(report, markdown)]] as const) {
    if (!onlyChanged || (await fs.readFile(file, 'utf8').catch(() => undefined)) !== text) await writeFileAtomic(file, text);
  }
  return markdown;
}

// make-style: when nothing but analyses and audits was registered since the last analysis and
// its report is on disk unedited, that report stands and no new look is recorded.
function unchangedReport(entries: readonly RegistryEntry[], file: string): AnalysisReport | undefined {
  const lastAnalysis = entries.findLastIndex((e) => e.type === 'analysed');
  if (lastAnalysis < 0 || entries.slice(lastAnalysis + 1).some((e) => e.type !== 'audited')) return undefined;
  const report = loadJsonIfValid<AnalysisReport>('report', file);
  const recorded = (entries[lastAnalysis] as EntryOf<'analysed'>).data.reportDigest;
  return report !== undefined && recorded !== null && sameDigest(recorded, jsonDigest(report)) ? report : undefined;
}
