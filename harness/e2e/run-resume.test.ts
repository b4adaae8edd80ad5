import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type CliResult } from '../test-support/cli.js';
import { jsonDigest } from '../core/digest.js';
import { writeLock } from '../store/run-lock.js';
import { executeCli, initCli, treeDigests } from './execute-support.js';
import {
  SLOTS, attemptOf, claimsNotLetGo, expectEachSlotLockedOnce, expectProgressComplete, expectVerifies, hx, isLocked, ofType, registry, runFolders, runSetDir,
  slotKey, slotsOf, smallProject, startCli, waitFor, type Entry, type Project,
} from './run-support.js';

// `harness run` is make-style: a finished run set is left exactly as it is, and a run killed
// with -9 halfway is finished by the next `run`, which keeps the dead attempts on disk, records
// them as abandoned and gives their slots a new attempt (or finishes a lock the kill cut off).

const projects: Project[] = [];
afterAll(async () => {
  // A filtered run (-t) skips the describes, not the setups: let them end before removing files.
  await Promise.allSettled([fullRun, killedRun, cutOffLock]);
  await Promise.all(projects.map((p) => p.cleanup()));
}, 120_000);

// The scenarios are set up at once (the killed one mostly waits), each describe awaits its own.
type KilledAt = { entries: Entry[]; folders: string[]; unlocked: string[] };
let fullRun: Promise<{ p: Project; first: CliResult }>;
let killedRun: Promise<{ p: Project; killedAt: KilledAt; resumed: CliResult }>;
let cutOffLock: Promise<{ p: Project; runId: string; resumed: CliResult }>;
beforeAll(() => {
  fullRun = (async () => {
    const p = await smallProject();
    projects.push(p);
    return { p, first: await hx(p, ['run', EXAMPLE, '-j', '4']) };
  })();
  killedRun = killAndResume();
  cutOffLock = lockCutOffAndResume();
  // Awaited (and so reported) in the describes below; not an unhandled rejection meanwhile.
  for (const setup of [fullRun, killedRun, cutOffLock]) setup.catch(() => undefined);
});

// What lock-run leaves when killed after writing lock.json, halfway through making the run
// read-only and before registering it: the folder and one file still writable.
async function lockCutOffAndResume(): Promise<{ p: Project; runId: string; resumed: CliResult }> {
  const p = await smallProject();
  projects.push(p);
  const slot = (await slotsOf(p))[0]!;
  const manifestFile = await initCli(p.dir, slot);
  const executed = await executeCli(p.dir, manifestFile);
  expect(executed.exitCode, executed.stderr).toBe(0);
  const evaluated = await hx(p, ['evaluate', '--manifest', manifestFile]);
  expect(evaluated.exitCode, evaluated.stderr).toBe(0);
  const dir = path.dirname(manifestFile);
  const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { runId: string; digest: { sha256: string } };
  const scorecard = JSON.parse(await fs.readFile(path.join(dir, 'scorecard.json'), 'utf8')) as unknown;
  await writeLock(dir, manifest.runId, manifest.digest, jsonDigest(scorecard), new Date());
  await fs.chmod(dir, 0o755);
  await fs.chmod(path.join(dir, 'scorecard.json'), 0o644);
  const resumed = await hx(p, ['run', EXAMPLE, '--only', `task=${slot.task},variant=${slot.variant}`]);
  return { p, runId: manifest.runId, resumed };
}

async function killAndResume(): Promise<{ p: Project; killedAt: KilledAt; resumed: CliResult }> {
  // 150 ms per simulated response keeps runs in flight long enough to be killed.
  const p = await smallProject({ latencyMs: 150 });
  projects.push(p);
  const registryFile = path.join(runSetDir(p), 'registry.jsonl');
  const child = startCli(p, ['run', EXAMPLE, '-j', '2']);
  // Kill once two runs are locked and another has been pinned but not yet locked, so the
  // kill leaves at least one run folder behind that was never locked.
  await waitFor('two locked runs and one in flight', async () => {
    if (child.exited()) throw new Error(`run ended before it could be killed:\n${(await child.done).stderr}`);
    const entries = (await fs.readFile(registryFile, 'utf8')).split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as Entry];
      } catch {
        return []; // the line being written
      }
    });
    const ids = (type: string) => new Set(ofType(entries, type).map((e) => e.data.runId));
    const locked = ids('locked');
    return locked.size >= 2 && [...ids('pinned')].some((id) => !locked.has(id));
  });
  process.kill(child.pid, 'SIGKILL');
  const exit = await child.done;
  expect(exit.signal).toBe('SIGKILL');
  const folders = await runFolders(p);
  const killedAt = { entries: await registry(p), folders, unlocked: folders.filter((id) => !isLocked(p, id)) };
  return { p, killedAt, resumed: await hx(p, ['run', EXAMPLE, '-j', '4']) };
}

describe('a full run of a small experiment, then the same command again', () => {
  let p: Project;
  let first: CliResult;

  beforeAll(async () => {
    ({ p, first } = await fullRun);
  }, 90_000);

  it('locks every slot exactly once, as attempt 1, and says so in the completeness gate line', async () => {
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain(`executed ${SLOTS} runs: ${SLOTS} locked, 0 infrastructure failures`);
    expect(first.stdout).toContain(`completeness gate: ${SLOTS}/${SLOTS} slots locked`);
    const current = await expectEachSlotLockedOnce(p);
    const slots = await slotsOf(p);
    expect(await runFolders(p)).toEqual(slots.map((s) => `${s.pairId}-${s.task}-${s.variant}-a1`).sort());
    for (const s of slots) expect(current.get(slotKey(s))!.data.attempt).toBe(1);
    const entries = await registry(p);
    expect(ofType(entries, 'pinned')).toHaveLength(SLOTS);
    expect(entries.filter((e) => ['abandoned', 'retried', 'superseded'].includes(e.type))).toEqual([]);
  });

  it('progress.csv lists every pair as complete with the runs that stand for it; registry.csv has a locked row per run', async () => {
    await expectProgressComplete(p, await expectEachSlotLockedOnce(p));
    const csv = (await fs.readFile(path.join(runSetDir(p), 'registry.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('run_id,variant,task,timestamp,status');
    expect(csv.filter((l) => /,locked(-success|-failed)?$/.test(l))).toHaveLength(SLOTS);
  });

  it('verify is clean and every pair verifies', async () => {
    await expectVerifies(p);
  });

  it('a second run prints "N/N up to date" and changes nothing: same registry bytes, same run folders and files', async () => {
    const dir = runSetDir(p);
    const mtimes = async () => Promise.all(['progress.csv', 'registry.csv', '.records-through'].map(async (f) => (await fs.stat(path.join(dir, f))).mtimeMs));
    const before = { registry: await fs.readFile(path.join(dir, 'registry.jsonl')), folders: await runFolders(p), files: await treeDigests(dir), mtimes: await mtimes() };
    const again = await hx(p, ['run', EXAMPLE, '-j', '4']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${SLOTS}/${SLOTS} up to date\n`);
    expect((await fs.readFile(path.join(dir, 'registry.jsonl'))).equals(before.registry)).toBe(true);
    expect(await runFolders(p)).toEqual(before.folders);
    expect(await treeDigests(dir)).toEqual(before.files);
    // Not even rewritten with the same content.
    expect(await mtimes()).toEqual(before.mtimes);
  });

  it('a claim a killed process left on a finished slot does not hold it up; the dead owner\'s lock is cleared; nothing else changes', async () => {
    const dir = path.join(runSetDir(p), '.claims');
    const slot = (await slotsOf(p))[0]!;
    // What a holder killed between registering the lock and letting go of its claim leaves: its id
    // in the slot's claim and an owner lock nobody refreshes any more (proper-lockfile's mtime, 10 s old).
    const dead = 'dead00000000beef';
    await fs.writeFile(path.join(dir, `${slot.pairId}-${slot.task}-${slot.variant}`), dead);
    const ownerLock = path.join(dir, `owner-${dead}.lock`);
    await fs.mkdir(ownerLock);
    const old = new Date(Date.now() - 10_000);
    await fs.utimes(ownerLock, old, old);
    const registryBefore = await fs.readFile(path.join(runSetDir(p), 'registry.jsonl'));
    const again = await hx(p, ['run', EXAMPLE, '-j', '4']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${SLOTS}/${SLOTS} up to date\n`);
    expect(existsSync(ownerLock)).toBe(false);
    expect((await fs.readFile(path.join(runSetDir(p), 'registry.jsonl'))).equals(registryBefore)).toBe(true);
  });
});

describe('kill -9 in the middle of a run, then run again', () => {
  let p: Project;
  let killedAt: KilledAt;
  let resumed: CliResult;

  beforeAll(async () => {
    ({ p, killedAt, resumed } = await killedRun);
  }, 120_000);

  it('the kill left a partial run set: some runs locked, at least one run folder never locked', () => {
    expect(ofType(killedAt.entries, 'locked').length).toBeGreaterThanOrEqual(2);
    expect(ofType(killedAt.entries, 'locked').length).toBeLessThan(SLOTS);
    expect(killedAt.unlocked.length).toBeGreaterThanOrEqual(1);
  });

  it('the second run completes the schedule: every slot locked exactly once', async () => {
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`completeness gate: ${SLOTS}/${SLOTS} slots locked`);
    expect(resumed.stdout).toContain(`${killedAt.unlocked.length} attempt${killedAt.unlocked.length === 1 ? '' : 's'} registered abandoned`);
    await expectEachSlotLockedOnce(p);
    const pinned = ofType(await registry(p), 'pinned').map((e) => e.data.runId);
    expect(new Set(pinned).size).toBe(pinned.length);
  });

  it('every run folder the kill left unlocked is kept as it was, registered abandoned, and its slot has a later attempt', async () => {
    const entries = await registry(p);
    const current = await expectEachSlotLockedOnce(p);
    const abandoned = ofType(entries, 'abandoned');
    expect(abandoned.map((e) => e.data.runId).sort()).toEqual(killedAt.unlocked);
    for (const runId of killedAt.unlocked) {
      const dir = path.join(runSetDir(p), runId);
      expect(existsSync(path.join(dir, 'manifest.json')), runId).toBe(true);
      expect(isLocked(p, runId), runId).toBe(false);
      const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { slot: { pairId: string }; variant: { id: string } };
      const standing = current.get(slotKey({ pairId: manifest.slot.pairId, variant: manifest.variant.id }))!;
      expect(standing.data.attempt, runId).toBeGreaterThan(attemptOf(runId));
      expect(standing.data.runId).toBe(runId.replace(/-a\d+$/, `-a${attemptOf(runId) + 1}`));
    }
    // Runs locked before the kill are untouched, and nothing on disk was deleted.
    const lockedBefore = ofType(killedAt.entries, 'locked').map((e) => e.data.runId);
    for (const id of lockedBefore) expect([...current.values()].map((e) => e.data.runId)).toContain(id);
    const after = await runFolders(p);
    const lockedOnDisk = killedAt.folders.length - killedAt.unlocked.length;
    expect(after.filter((id) => !killedAt.folders.includes(id))).toHaveLength(SLOTS - lockedOnDisk);
    for (const id of killedAt.folders) expect(after).toContain(id);
    // The entries written before the kill are still the registry's first entries.
    expect(entries.slice(0, killedAt.entries.length)).toEqual(killedAt.entries);
  });

  it('no claim is left behind, progress.csv is complete, verify and verify-pairing are clean', async () => {
    // The killed process's claims on the slots it had in hand were taken over and let go; the
    // only ones it can have left are on slots it had locked before the kill (killed before letting
    // go), void now that it is gone.
    const lockedBeforeKill = new Set(ofType(killedAt.entries, 'locked').map((e) => `${e.data.pairId}-${e.data.task}-${e.data.variant}`));
    for (const slot of await claimsNotLetGo(p)) expect(lockedBeforeKill, slot).toContain(slot);
    await expectProgressComplete(p, await expectEachSlotLockedOnce(p));
    await expectVerifies(p);
    const status = await hx(p, ['status', EXAMPLE, '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const shown = JSON.parse(status.stdout) as { complete: boolean; progress: { total: { done: number } }; unfinished: string[] };
    expect(shown.progress.total.done).toBe(SLOTS);
    // Every attempt pinned is locked or given up: none is left unfinished.
    expect(shown).toMatchObject({ complete: true, unfinished: [] });
  });
});

describe('a run killed while it was being locked, then run again', () => {
  let p: Project;
  let runId: string;
  let resumed: CliResult;

  beforeAll(async () => {
    ({ p, runId, resumed } = await cutOffLock);
  }, 120_000);

  it('the next run finishes the lock and registers the run instead of refusing the run set', async () => {
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('completeness gate: 2/2 slots locked');
    const entries = await registry(p);
    expect(ofType(entries, 'locked').filter((e) => e.data.runId === runId)).toHaveLength(1);
    expect(ofType(entries, 'abandoned')).toEqual([]);
    expect((await runFolders(p)).filter((id) => id.startsWith(runId.replace(/-a1$/, '')))).toEqual([runId]);
    const v = await hx(p, ['verify', EXAMPLE]);
    expect(v.exitCode, v.stdout).toBe(0);
  });

  // Last: it cuts the registry.
  it('a registry cut back to its freeze entry is not refilled: a locked run without its pin is refused by run and lock-run (exit 1)', async () => {
    const file = path.join(runSetDir(p), 'registry.jsonl');
    const genesis = (await fs.readFile(file, 'utf8')).split('\n')[0]!;
    await fs.writeFile(file, `${genesis}\n`);
    for (const args of [['run', EXAMPLE], ['lock-run', path.join('runs', EXAMPLE, runId)]]) {
      const r = await hx(p, args);
      expect(r.exitCode, args[0]).toBe(1);
      expect(r.stderr, args[0]).toContain(`${runId} is locked, but the registry has neither its lock nor its pin: entries were lost from`);
      expect(r.stderr, args[0]).toContain('the registry was truncated or edited; restore it from a backup');
    }
    expect(await fs.readFile(file, 'utf8')).toBe(`${genesis}\n`);
  });
});

describe('a pinned run whose folder was lost (power loss before the folder reached the disk)', () => {
  it('the slot gets the next attempt number: a run id is never pinned twice', async () => {
    const p = await smallProject();
    projects.push(p);
    const slot = (await slotsOf(p))[0]!;
    const manifestFile = await initCli(p.dir, slot);
    const lost = path.basename(path.dirname(manifestFile));
    expect(lost).toMatch(/-a1$/);
    await fs.rm(path.dirname(manifestFile), { recursive: true });
    const resumed = await hx(p, ['run', EXAMPLE, '--only', `task=${slot.task},variant=${slot.variant}`]);
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    const pinned = ofType(await registry(p), 'pinned').map((e) => e.data.runId);
    expect(pinned.filter((id) => id === lost)).toHaveLength(1);
    expect(pinned).toContain(lost.replace(/-a1$/, '-a2'));
  });
});

describe('a slot claimed by a run killed before it pinned the slot', () => {
  it('is run in its place in the schedule once the claim turns void, not last', async () => {
    const p = await smallProject();
    projects.push(p);
    const slots = await slotsOf(p);
    const first = slots[0]!;
    // What the killed process left: its claim on the first slot, its owner lock no longer refreshed.
    const claims = path.join(runSetDir(p), '.claims');
    const killed = 'dead0000000feed0';
    await fs.mkdir(path.join(claims, `owner-${killed}.lock`), { recursive: true });
    await fs.writeFile(path.join(claims, `${first.pairId}-${first.task}-${first.variant}`), killed);
    const then = new Date(Date.now() - 3_000);
    await fs.utimes(path.join(claims, `owner-${killed}.lock`), then, then);
    const r = await hx(p, ['run', EXAMPLE, '-j', '2']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const pinned = ofType(await registry(p), 'pinned').map((e) => e.data.runId);
    expect(pinned).toHaveLength(SLOTS);
    // Waited for where it stands (the first pins go in schedule order), not deferred to the end.
    expect(pinned.indexOf(`${first.pairId}-${first.task}-${first.variant}-a1`)).toBeLessThan(2);
  }, 60_000);
});
