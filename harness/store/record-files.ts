import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RegistryEntry } from '../core/types/index.js';
import { writeRunFile } from './atomic-write.js';

// The seed researchers' record files, derived from the registry (never the source of truth):
// registry.csv gets a row per run event and violations.log a paragraph per violation, appended
// under the registry lock as each entry is written, so they are always current and appends stay O(1).
// A mark beside them names the last registry entry they cover. A process killed between writing
// registry entries and their rows, or a power loss that took entries the rows had already been
// written for, leaves the mark on another entry than the registry's last: the next update
// rewrites both files from the whole registry instead of appending.
export const REGISTRY_CSV_HEADER = 'run_id,variant,task,timestamp,status\n';
const MARK = '.records-through';

/** Whether the record files cover exactly the registry up to `last` (its last entry; undefined: empty). */
export function recordFilesCover(runsDir: string, last: RegistryEntry | undefined): boolean {
  let mark: string;
  try {
    mark = readFileSync(path.join(runsDir, MARK), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return last === undefined;
    throw err;
  }
  return mark === markOf(last);
}

/** Appends what `written` adds to the record files (which cover the registry up to just before it). */
export function appendRecordFiles(runsDir: string, written: readonly RegistryEntry[]): void {
  const rows = written.map(csvRow).filter((r) => r !== undefined).join('');
  if (rows !== '') appendWithHeader(path.join(runsDir, 'registry.csv'), REGISTRY_CSV_HEADER, rows);
  const violations = written.flatMap((e) => (e.type === 'violation' ? [violationText(e)] : [])).join('');
  if (violations !== '') appendFileSync(path.join(runsDir, 'violations.log'), violations);
  setMark(runsDir, written.at(-1));
}

/** Writes the record files anew from every entry of the registry. */
export function rewriteRecordFiles(runsDir: string, entries: readonly RegistryEntry[]): void {
  writeRunFile(path.join(runsDir, 'registry.csv'), REGISTRY_CSV_HEADER + entries.map(csvRow).filter((r) => r !== undefined).join(''));
  const violations = entries.flatMap((e) => (e.type === 'violation' ? [violationText(e)] : [])).join('');
  const log = path.join(runsDir, 'violations.log');
  if (violations !== '' || existsSync(log)) writeRunFile(log, violations);
  setMark(runsDir, entries.at(-1));
}

const markOf = (last: RegistryEntry | undefined): string => (last === undefined ? '' : `${last.seq} ${last.digest.sha256}\n`);

// Rewritten in place: a mark cut short by a crash matches no entry, and only costs a rewrite.
function setMark(runsDir: string, last: RegistryEntry | undefined): void {
  writeFileSync(path.join(runsDir, MARK), markOf(last));
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
