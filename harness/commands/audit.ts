import { promises as fs } from 'node:fs';
import path from 'node:path';
import { jsonDigest, sameDigest } from '../core/digest.js';
import { bug } from '../core/errors.js';
import type { AnalysisReport, AuditReport } from '../core/types/index.js';
import { buildDataset } from '../analysis/dataset.js';
import { auditMarkdown } from '../audit/audit-markdown.js';
import { runAuditChecks } from '../audit/checks.js';
import { lockedManifests } from '../audit/context.js';
import { schemaProblems } from '../documents/schemas.js';
import { loadJsonIfValid, loadValidJsonIfPresent } from '../documents/validate.js';
import { runsDirFlag } from '../experiment/locate.js';
import { readRunSet } from '../pipeline/open-run-set.js';
import { whoAmI } from '../pipeline/provenance.js';
import { writeFileAtomic, writeJsonAtomic } from '../store/atomic-write.js';
import { appendEntry } from '../store/registry.js';

export interface AuditOptions {
  experiment: string;
  runsDir?: string;
}

export interface AuditResult {
  /** The last registry entry is an audit with the same findings: nothing changed, nothing was written. */
  upToDate: boolean;
  audit: AuditReport;
  files: { json: string; markdown: string };
}

// audit: the run set against its pre-registration, check by check with evidence; the result is
// written to runs/<exp>/audit/ and recorded in the registry.
export async function audit(options: AuditOptions): Promise<AuditResult> {
  const { exp, frozen, entries } = await readRunSet(options.experiment, options.runsDir);
  const dir = path.join(frozen.runsDir, 'audit');
  const files = { json: path.join(dir, 'audit.json'), markdown: path.join(dir, 'audit.md') };
  const last = entries.at(-1);
  const previous = last?.type === 'audited' ? loadJsonIfValid<AuditReport>('audit', files.json) : undefined;
  const standing = previous !== undefined && last?.type === 'audited' && sameDigest(jsonDigest(previous), last.data.auditDigest) ? previous : undefined;
  const reportFile = path.join(frozen.runsDir, 'analysis', 'report.json');
  const report = loadValidJsonIfPresent<AnalysisReport>('report', reportFile, `run \`harness analyze ${exp.config.id}${runsDirFlag(frozen.runsDir)}\` again to write it anew`);
  const ctx = {
    exp, frozen, entries, reportFile, report,
    data: await buildDataset(frozen, exp.preregistration, entries),
    manifests: lockedManifests(frozen, entries),
  };
  const checks = await runAuditChecks(ctx);
  // The checks always run: tampering (an edited input, a deleted run folder) registers nothing, so
  // the last audit stands only when nothing was registered since and the findings are the same.
  if (standing !== undefined && sameFindings(standing.checks, checks)) return { upToDate: true, audit: standing, files };
  const result: AuditReport = {
    schemaVersion: 1,
    experiment: exp.config.id,
    auditedAt: new Date().toISOString(),
    passed: checks.every((c) => c.status === 'PASS'),
    inputs: { registryHead: entries.at(-1)?.digest ?? null, registryEntries: entries.length, freezeDigest: frozen.record.digest, preregistrationDigest: exp.preregistrationDigest },
    checks,
  };
  const problems = schemaProblems('audit', result);
  if (problems.length > 0) throw bug(`the audit does not match schemas/audit.schema.json: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
  await fs.mkdir(dir, { recursive: true });
  await writeJsonAtomic(files.json, result);
  await writeFileAtomic(files.markdown, auditMarkdown(result));
  await appendEntry(frozen.files.registry, exp.config.id, 'audited', {
    who: whoAmI(), passed: result.passed, findings: checks.filter((c) => c.status === 'FAIL').length, auditDigest: jsonDigest(result),
  });
  return { upToDate: false, audit: result, files };
}

function sameFindings(before: AuditReport['checks'], now: AuditReport['checks']): boolean {
  const key = (cs: AuditReport['checks']) => JSON.stringify(cs.map((c) => [c.id, c.status, c.status === 'FAIL' ? c.evidence : []]));
  return key(before) === key(now);
}
