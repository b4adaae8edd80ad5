import { appendFileSync, closeSync, fstatSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RegistryEntry } from '../core/types/index.js';

// The seed researchers' record files, derived from the registry (never the source of truth):
// registry.csv gets a row per run event and violations.log a paragraph per violation, appended
// under the registry lock as each entry is written, so they are always current and appends stay O(1).
export const REGISTRY_CSV_HEADER = 'run_id,variant,task,timestamp,status\n';

export function appendRecordFiles(runsDir: string, entries: readonly RegistryEntry[]): void {
  const rows = entries.map(csvRow).filter((r) => r !== undefined).join('');
  if (rows !== '') appendWithHeader(path.join(runsDir, 'registry.csv'), REGISTRY_CSV_HEADER, rows);
  const violations = entries.flatMap((e) => (e.type === 'violation' ? [violationText(e)] : [])).join('');
  if (violations !== '') appendFileSync(path.join(runsDir, 'violations.log'), violations);
}

function csvRow(e: RegistryEntry): string | undefined {
  const cells = (runId: string, variant: string, task: string, status: string) => `${[runId, variant, task, e.at, status].map(csvCell).join(',')}\n`;
  switch (e.type) {
    case 'pinned': return cells(e.data.runId, e.data.variant, e.data.task, e.data.adhoc ? 'pinned-adhoc' : 'pinned');
    // No outcome here: a file anyone may open while the experiment runs must not unblind it.
    case 'locked': return cells(e.data.runId, e.data.variant, e.data.task, 'locked');
    case 'abandoned': case 'retried': case 'superseded': return cells(e.data.runId, e.data.variant, e.data.task, e.type);
    default: return undefined;
  }
}

export function violationText(e: Extract<RegistryEntry, { type: 'violation' }>): string {
  const d = e.data;
  return `[${e.at}] ${d.severity === 'critical' ? 'CRITICAL' : 'NON-CRITICAL'}: ${d.runId} ${d.rule} - ${d.message}\n  Action: ${d.action}\n  Status: ${d.status}\n\n`;
}

function appendWithHeader(file: string, header: string, text: string): void {
  const fd = openSync(file, 'a');
  try {
    writeFileSync(fd, fstatSync(fd).size === 0 ? header + text : text);
  } finally {
    closeSync(fd);
  }
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
