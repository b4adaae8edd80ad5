import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { digestOf, sameDigest, sha256Hex } from '../core/digest.js';
import type { EntryOf } from '../core/entries.js';
import type { Problem } from '../core/errors.js';
import type { Manifest, RunLock, Scorecard } from '../core/types/index.js';
import { schemaProblems } from '../documents/schemas.js';
import { relativeToCwd, runSetFiles } from '../experiment/locate.js';
import { listTree } from '../store/file-tree.js';
import { LOCK_FILE, SUMS_FILE, lockDigest, runContents } from '../store/run-lock.js';
import { runFiles } from './load-run.js';
import { violationEntries } from './violation-entries.js';

// Re-hashes a locked run and names every difference from its lock: modified, added, deleted or
// renamed files, changed links and special files, loosened permissions, and a lock that the registry does not know
// (`registering`: the caller is about to register it, finishing a lock cut off by a crash), and,
// given how many `violation` entries the registry holds for the run, a count its scorecard disagrees with.
export async function verifyLockedRun(dir: string, registered: EntryOf<'locked'> | undefined, { registering = false, violations }: { registering?: boolean; violations?: number } = {}): Promise<Problem[]> {
  const problems: Problem[] = [];
  const at = (file: string, message: string) => problems.push({ file: path.join(dir, file), message });
  let lock: RunLock;
  try {
    lock = JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8')) as RunLock;
  } catch {
    return [{ file: path.join(dir, LOCK_FILE), message: 'missing or not JSON: the run cannot be verified' }];
  }
  for (const p of schemaProblems('lock', lock)) at(LOCK_FILE, `${p.path}: ${p.message}`);
  if (problems.length > 0) return problems;
  // A run folder is named by its run id: one under another name was renamed (or copied).
  if (lock.runId !== path.basename(dir)) return [{ file: dir, message: `holds run ${lock.runId} (its lock says so) under another name: renamed? rename it back to ${lock.runId}` }];
  if (registered === undefined) {
    if (!registering) at(LOCK_FILE, 'locked but not registered: the registry has no `locked` entry for this run (a lock cut off by a crash, which `harness run` or `harness lock-run` on the folder finishes; or the registry was truncated or the entry removed)');
  } else if (!sameDigest(registered.data.lockDigest, lockDigest(lock)) || !sameDigest(registered.data.rootDigest, lock.rootDigest)) {
    at(LOCK_FILE, `edited: the registry recorded lock sha256:${registered.data.lockDigest.sha256.slice(0, 12)}… (root ${registered.data.rootDigest.sha256.slice(0, 12)}…), the file is now sha256:${lockDigest(lock).sha256.slice(0, 12)}… (root ${lock.rootDigest.sha256.slice(0, 12)}…)`);
  } else {
    problems.push(...(await entryAgainstRun(dir, registered, lock, violations)));
  }
  if (!existsSync(path.join(dir, SUMS_FILE))) at(SUMS_FILE, 'deleted');
  else if (!sameDigest(digestOf(await fs.readFile(path.join(dir, SUMS_FILE))), lock.rootDigest)) at(SUMS_FILE, 'modified: does not match the root digest in lock.json');
  const now = await runContents(dir);
  const before = new Map(lock.files.map((f) => [f.path, f.sha256]));
  const after = new Map(now.files.map((f) => [f.path, f.sha256]));
  const deleted = lock.files.filter((f) => !after.has(f.path));
  const added = now.files.filter((f) => !before.has(f.path));
  for (const f of lock.files) {
    const actual = after.get(f.path);
    if (actual !== undefined && actual !== f.sha256) at(f.path, `modified: expected sha256 ${f.sha256}, actual ${actual}`);
  }
  const renamedTo = new Set<string>();
  for (const d of deleted) {
    const twin = added.find((a) => a.sha256 === d.sha256 && !renamedTo.has(a.path));
    if (twin) {
      renamedTo.add(twin.path);
      at(d.path, `renamed to ${twin.path}`);
    } else at(d.path, `deleted (expected sha256 ${d.sha256})`);
  }
  for (const a of added) if (!renamedTo.has(a.path)) at(a.path, `added after locking (sha256 ${a.sha256})`);
  const links = new Map(lock.links.map((l) => [l.path, l.target]));
  for (const l of now.links) if (links.get(l.path) !== l.target) at(l.path, `link changed or added: now points to ${l.target}`);
  for (const l of lock.links) if (!now.links.some((x) => x.path === l.path)) at(l.path, 'link deleted');
  const same = (a: { path: string; type: string }) => (b: { path: string; type: string }) => a.path === b.path && a.type === b.type;
  const lockedSpecial = lock.special ?? [];
  for (const x of now.special) if (!lockedSpecial.some(same(x))) at(x.path, `a special file (${x.type}) appeared after locking`);
  for (const x of lockedSpecial) if (!now.special.some(same(x))) at(x.path, `special file deleted (was a ${x.type})`);
  problems.push(...(await loosenedPermissions(dir)));
  return problems;
}

// What the `locked` entry copies from the run (its slot, its digests and outcome, which status,
// the record files and the analysis's arms read) must be what the lock, the manifest and the
// scorecard say: a registry whose hash chain was recomputed after editing an entry still chains,
// but no longer agrees with the locked files. The documents are compared only as locked (a changed
// one is named below).
async function entryAgainstRun(dir: string, registered: EntryOf<'locked'>, lock: RunLock, violations: number | undefined): Promise<Problem[]> {
  const { data } = registered;
  const differs: string[] = [];
  const compare = (what: string, recorded: unknown, actual: unknown, where: string) => {
    if (recorded !== actual) differs.push(`${what} (${String(recorded)}, the ${where} says ${String(actual)})`);
  };
  if (!sameDigest(data.manifestDigest, lock.manifestDigest)) differs.push('manifest digest');
  if (!sameDigest(data.scorecardDigest, lock.scorecardDigest)) differs.push('scorecard digest');
  const files = runFiles(dir);
  const manifest = await readAsLocked<Manifest>(dir, lock, files.manifest);
  if (manifest !== undefined) {
    compare('run id', data.runId, manifest.runId, 'manifest');
    compare('pair', data.pairId, manifest.slot.pairId, 'manifest');
    compare('variant', data.variant, manifest.variant.id, 'manifest');
    compare('task', data.task, manifest.task.id, 'manifest');
    compare('attempt', data.attempt, manifest.slot.attempt, 'manifest');
    compare('slot index', data.slotIndex, manifest.slot.index, 'manifest');
    compare('ad hoc', data.adhoc, manifest.adhoc, 'manifest');
  }
  const scorecard = await readAsLocked<Scorecard>(dir, lock, files.scorecard);
  if (scorecard !== undefined) {
    compare('success', data.success, scorecard.success, 'scorecard');
    compare('stop reason', data.stopReason, scorecard.stopReason, 'scorecard');
  }
  const registry = runSetFiles(path.dirname(dir)).registry;
  const problems: Problem[] = differs.length === 0 ? [] : [{ file: registry, message: `entry ${registered.seq} (locked ${path.basename(dir)}) disagrees with the locked run: ${differs.join(', ')}` }];
  if (scorecard !== undefined && violations !== undefined) problems.push(...violationCount(dir, registry, scorecard, violations));
  return problems;
}

// A locked run's violations are registered with its lock, one entry each (violations.log lists
// them): as many as its locked scorecard names.
function violationCount(dir: string, registry: string, scorecard: Scorecard, registered: number): Problem[] {
  const expected = violationEntries(scorecard.runId, scorecard).length;
  if (registered === expected) return [];
  const repair = registered === 0
    ? `lost when an earlier version of harness was stopped between a lock and its violations: \`harness lock-run ${relativeToCwd(dir)}\` registers them from the locked scorecard`
    : 'the registry was edited';
  return [{ file: registry, message: `${scorecard.runId}: ${registered} violation ${registered === 1 ? 'entry' : 'entries'} registered, its locked scorecard lists ${expected} (${repair})` }];
}

// A JSON document of the run as its lock lists it; undefined when it is not (verify names that).
async function readAsLocked<T>(dir: string, lock: RunLock, file: string): Promise<T | undefined> {
  const listed = lock.files.find((f) => path.join(dir, f.path) === file);
  try {
    const bytes = await fs.readFile(file);
    return listed !== undefined && sha256Hex(bytes) === listed.sha256 ? (JSON.parse(bytes.toString('utf8')) as T) : undefined;
  } catch {
    return undefined;
  }
}

async function loosenedPermissions(dir: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const check = async (p: string) => {
    const mode = (await fs.lstat(p)).mode & 0o777;
    if ((mode & 0o222) !== 0) problems.push({ file: p, message: `permission loosened: writable (mode ${mode.toString(8)}), a locked run is read-only` });
  };
  await check(dir);
  const listing = await listTree(dir);
  for (const f of listing.files) if ((f.mode & 0o222) !== 0) problems.push({ file: path.join(dir, f.path), message: `permission loosened: writable (mode ${f.mode.toString(8)}), a locked run is read-only` });
  const dirs = new Set(listing.files.map((f) => path.dirname(f.path)).filter((d) => d !== '.'));
  for (const d of [...dirs].flatMap(parents)) await check(path.join(dir, d));
  return dedupe(problems);
}

function parents(rel: string): string[] {
  const out = [];
  for (let p = rel; p !== '.' && p !== ''; p = path.dirname(p)) out.push(p);
  return out;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => (seen.has(p.file!) ? false : (seen.add(p.file!), true)));
}
