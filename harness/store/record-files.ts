import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EntryOf } from '../core/entries.js';
import type { Problem } from '../core/errors.js';
import type { RegistryEntry } from '../core/types/index.js';
import { writeFileUnsynced } from './atomic-write.js';

// The seed researchers' record files, derived from the registry (never the source of truth):
// registry.csv gets a row per run event and violations.log a paragraph per violation, appended
// under the registry lock as each entry is written, so they are always current and appends stay O(1).
// A mark beside them names the last registry entry they cover and the sizes they had then. A
// process killed between writing registry entries and their rows, a power loss that took rows or
// the mark, or a file edited by hand leaves the mark on another entry than the registry's last or
// on other sizes: the next update rewrites both files from the whole registry instead of appending.
const REGISTRY_CSV_HEADER = 'run_id,variant,task,timestamp,status\n';
const MARK = '.records-through';
const CSV = 'registry.csv';
const LOG = 'violations.log';

/** Whether the record files cover exactly the registry up to `last` (its last entry; undefined: empty). */
export function recordFilesCover(runsDir: string, last: RegistryEntry | undefined): boolean {
  let mark: string;
  try {
    mark = readFileSync(path.join(runsDir, MARK), 'utf8');
  } catch (err) {
    // Unreadable: not in step, so the files are written anew (if that fails too, the entries stand).
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    mark = markOf(undefined, 0, 0);
  }
  return mark === markOf(last, sizeOf(path.join(runsDir, CSV)), sizeOf(path.join(runsDir, LOG)));
}

/** Appends what `written` adds to the record files (which cover the registry up to just before it). */
export function appendRecordFiles(runsDir: string, written: readonly RegistryEntry[]): void {
  const rows = csvRows(written);
  if (rows !== '') appendWithHeader(path.join(runsDir, CSV), REGISTRY_CSV_HEADER, rows);
  const violations = violationParagraphs(written);
  if (violations !== '') appendFileSync(path.join(runsDir, LOG), violations);
  setMark(runsDir, written.at(-1));
}

/** Writes the record files anew from every entry of the registry. */
export function rewriteRecordFiles(runsDir: string, entries: readonly RegistryEntry[]): void {
  const rows = csvRows(entries);
  const csv = path.join(runsDir, CSV);
  if (rows !== '' || existsSync(csv)) writeFileUnsynced(csv, rows === '' ? '' : REGISTRY_CSV_HEADER + rows);
  const violations = violationParagraphs(entries);
  const log = path.join(runsDir, LOG);
  if (violations !== '' || existsSync(log)) writeFileUnsynced(log, violations);
  setMark(runsDir, entries.at(-1));
}

/** The registry entry the record files were last written through (their mark), if it can be read. */
export interface RecordMark {
  seq: number;
  digest: string;
}

export function readMark(runsDir: string): RecordMark | undefined {
  const file = path.join(runsDir, MARK);
  const m = existsSync(file) ? /^(\d+) ([0-9a-f]{64}) /.exec(readFileSync(file, 'utf8')) : null;
  return m === null ? undefined : { seq: Number(m[1]), digest: m[2]! };
}

/**
 * What the record files and their mark say against the registry's `entries`, for verify (which
 * reads the whole registry anyway). `before`: the mark as it was before `entries` were read, so an
 * append meanwhile cannot look like a cut. A mark naming a later entry than the registry's last
 * means entries were cut off its end; a mark naming the last entry means the files were written
 * through it, so files that differ from what the registry says were edited since (compared only if
 * no append came meanwhile). A mark naming an earlier entry is a crash or an append in flight,
 * which the next update rewrites.
 */
export function recordFileProblems(runsDir: string, entries: readonly RegistryEntry[], before: RecordMark | undefined): Problem[] {
  const last = entries.at(-1);
  if (before === undefined || last === undefined) return [];
  if (before.seq > last.seq) {
    return [{ file: path.join(runsDir, 'registry.jsonl'), message: `ends at entry ${last.seq}, but its record files were written through entry ${before.seq}: entries were cut off its end` }];
  }
  const atLast = (m: RecordMark | undefined) => m !== undefined && m.seq === last.seq && m.digest === last.digest.sha256;
  if (!atLast(before)) return [];
  const rows = csvRows(entries);
  const read = (name: string) => (existsSync(path.join(runsDir, name)) ? readFileSync(path.join(runsDir, name), 'utf8') : '');
  const found: [string, string, string][] = [[CSV, rows === '' ? '' : REGISTRY_CSV_HEADER + rows, read(CSV)], [LOG, violationParagraphs(entries), read(LOG)]];
  if (!atLast(readMark(runsDir))) return [];
  return found.filter(([, expected, actual]) => actual !== expected).map(([name]) => ({
    file: path.join(runsDir, name), message: 'does not match the registry it is derived from (edited?): remove it, and the next `harness run` writes it anew',
  }));
}

const markOf = (last: RegistryEntry | undefined, csvBytes: number, logBytes: number): string =>
  `${last === undefined ? '- -' : `${last.seq} ${last.digest.sha256}`} ${csvBytes} ${logBytes}\n`;

const sizeOf = (file: string): number => statSync(file, { throwIfNoEntry: false })?.size ?? 0;

// Rewritten in place: a mark cut short by a crash matches nothing, and only costs a rewrite.
function setMark(runsDir: string, last: RegistryEntry | undefined): void {
  writeFileSync(path.join(runsDir, MARK), markOf(last, sizeOf(path.join(runsDir, CSV)), sizeOf(path.join(runsDir, LOG))));
}

const csvRows = (entries: readonly RegistryEntry[]): string => entries.map(csvRow).filter((r) => r !== undefined).join('');
const violationParagraphs = (entries: readonly RegistryEntry[]): string => entries.flatMap((e) => (e.type === 'violation' ? [violationText(e)] : [])).join('');

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

function violationText(e: EntryOf<'violation'>): string {
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
