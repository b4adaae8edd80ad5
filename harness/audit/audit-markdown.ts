import type { AuditReport } from '../core/types/index.js';

// audit.md: PASS/FAIL per check with its evidence, for a reviewer.
export function auditMarkdown(a: AuditReport): string {
  const lines = [
    `# Audit of ${a.experiment}: ${a.passed ? 'PASS' : 'FAIL'}`,
    '',
    `Audited ${a.auditedAt} against pre-registration sha256:${a.inputs.preregistrationDigest.sha256}, freeze record ${a.inputs.freezeDigest ? `sha256:${a.inputs.freezeDigest.sha256}` : '(none)'}, registry head ${a.inputs.registryHead ? `sha256:${a.inputs.registryHead.sha256}` : '(none)'} (${a.inputs.registryEntries} entries).`,
    '',
  ];
  for (const c of a.checks) {
    lines.push(`## ${c.status} ${c.id}: ${c.title}`, '', ...c.evidence.map((e) => `- ${e}`), '');
  }
  return `${lines.join('\n')}\n`;
}
