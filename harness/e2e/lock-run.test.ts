import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDigest } from '../core/digest.js';
import { EXAMPLE, filesUnder, scratchProject } from '../test-support/cli.js';
import { cli, editYaml, executeCli, freezeCli, initCli, scheduleOf, type Slot } from './execute-support.js';

// lock-run on one executed run whose simulated agent tries once to read outside its workspace:
// refused without a scorecard, then locked so that coreutils alone can check it, read-only,
// registered (with registry.csv rows and a CRITICAL paragraph in violations.log), and idempotent.

type Entry = { seq: number; at: string; type: string; data: Record<string, unknown> & { runId?: string } };
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Every entry under a folder with its mode, mtime and content digest: what "changes nothing"
 * compares. The run set's own folder is listed without its mtime: taking the registry's lock
 * (a `registry.jsonl.lock` folder, created and removed) touches it.
 */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    const abs = path.join(dir, rel);
    const st = await fs.lstat(abs);
    const mtime = rel === `runs/${EXAMPLE}` ? '-' : st.mtimeMs;
    out[rel || '.'] = `${(st.mode & 0o7777).toString(8)} ${mtime} ${st.isFile() ? sha256(await fs.readFile(abs)) : 'dir'}`;
    if (st.isDirectory()) for (const e of await fs.readdir(abs)) await walk(rel === '' ? e : `${rel}/${e}`);
  };
  await walk('');
  return out;
}

describe('lock-run', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let runsDir: string;
  let runDir: string;
  let manifest: string;
  let runId: string;
  let slot: Slot;
  let noScorecard: Awaited<ReturnType<typeof cli>>;
  let unchangedWithoutScorecard: boolean;
  let locked: Awaited<ReturnType<typeof cli>>;
  let leftover: string;
  let withLeftover: Awaited<ReturnType<typeof cli>>;
  let unchangedWithLeftover: boolean;
  const registry = async (): Promise<Entry[]> => (await fs.readFile(path.join(runsDir, 'registry.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Entry);

  beforeAll(async () => {
    project = await scratchProject();
    runsDir = path.join(project.dir, 'runs', EXAMPLE);
    // Every goal-centric run makes one attempt to read outside its workspace.
    await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => {
      const b = (doc.simulator as { behaviour: Record<string, Record<string, number>> }).behaviour;
      b['goal-centric'] = { ...b['goal-centric'], wander: 1, giveUp: 0 };
    });
    await freezeCli(project.dir);
    slot = (await scheduleOf(project.dir)).find((s) => s.variant === 'goal-centric')!;
    manifest = await initCli(project.dir, slot);
    runDir = path.dirname(manifest);
    runId = path.basename(runDir);
    const executed = await executeCli(project.dir, manifest);
    expect(executed.exitCode, executed.stderr).toBe(0);
    const before = await snapshot(project.dir);
    noScorecard = await cli(['lock-run', runDir], { cwd: project.dir });
    unchangedWithoutScorecard = JSON.stringify(await snapshot(project.dir)) === JSON.stringify(before);
    const evaluated = await cli(['evaluate', '--manifest', manifest], { cwd: project.dir });
    expect(evaluated.exitCode, evaluated.stderr).toBe(0);
    // What a process killed while writing scorecard.json would have left beside it.
    leftover = path.join(runDir, `.scorecard.json.4242.0badc0de.0.tmp`);
    await fs.writeFile(leftover, '{"runId":');
    const beforeLeftover = await snapshot(project.dir);
    withLeftover = await cli(['lock-run', runDir], { cwd: project.dir });
    unchangedWithLeftover = JSON.stringify(await snapshot(project.dir)) === JSON.stringify(beforeLeftover);
    await fs.rm(leftover);
    locked = await cli(['lock-run', manifest, '--json'], { cwd: project.dir });
  }, 90_000);
  afterAll(() => project.cleanup());

  it('without a scorecard it refuses (exit 2), says what to run, and changes nothing', () => {
    expect(noScorecard.exitCode).toBe(2);
    expect(noScorecard.stderr).toMatch(new RegExp(`^error: ${runId} has no scorecard$`, 'm'));
    expect(noScorecard.stderr).toMatch(/^hint: evaluate it, then lock it: `harness evaluate --manifest .*manifest\.json`, then `harness lock-run .*-a1`$/m);
    expect(unchangedWithoutScorecard).toBe(true);
  });

  it('refuses a run folder holding a temp file of an interrupted write (exit 2), names it, says to remove it, and changes nothing', () => {
    expect(withLeftover.exitCode).toBe(2);
    expect(withLeftover.stderr).toContain(`error: ${runId} holds a temp file left by an interrupted write: ${leftover}`);
    expect(withLeftover.stderr).toMatch(/^hint: a temp file is no part of the run, and the lock would list it: remove it \(rm '.*\.tmp'\) and lock again$/m);
    expect(unchangedWithLeftover).toBe(true);
  });

  it('locks: `sha256sum -c SHA256SUMS` passes inside the run folder, for every file but the lock itself', async () => {
    expect(locked.exitCode, locked.stderr).toBe(0);
    // The example pre-registers blinding, and the set is far from complete: the outcome is withheld.
    expect(JSON.parse(locked.stdout)).toMatchObject({ runId, action: 'locked', success: null, blinded: true });
    const out = execFileSync('sha256sum', ['-c', '--strict', 'SHA256SUMS'], { cwd: runDir, encoding: 'utf8' });
    const listed = (await fs.readFile(path.join(runDir, 'SHA256SUMS'), 'utf8')).trimEnd().split('\n').map((l) => l.slice(66));
    const files = (await filesUnder(runDir)).filter((f) => f !== 'lock.json' && f !== 'SHA256SUMS');
    expect(listed).toEqual(files);
    expect(files).toEqual(expect.arrayContaining(['manifest.json', 'agent.log', 'scorecard.json', 'evaluation.log', 'outputs/README.md']));
    expect(out.trimEnd().split('\n')).toEqual(files.map((f) => `${f}: OK`));
  });

  it("lock.json's root digest is the sha256 of SHA256SUMS and is what the registry's `locked` entry recorded", async () => {
    const sums = await fs.readFile(path.join(runDir, 'SHA256SUMS'));
    const lock = JSON.parse(await fs.readFile(path.join(runDir, 'lock.json'), 'utf8')) as {
      runId: string; rootDigest: { sha256: string }; files: { path: string; size: number; sha256: string }[];
      manifestDigest: { sha256: string }; scorecardDigest: { sha256: string };
    };
    expect(lock.runId).toBe(runId);
    expect(lock.rootDigest.sha256).toBe(sha256(sums));
    expect(JSON.parse(locked.stdout).rootDigest).toEqual({ sha256: sha256(sums) });
    for (const f of lock.files) {
      const bytes = await fs.readFile(path.join(runDir, f.path));
      expect({ path: f.path, size: bytes.length, sha256: sha256(bytes) }).toEqual(f);
    }
    const entries = await registry();
    const lockedEntries = entries.filter((e) => e.type === 'locked' && e.data.runId === runId);
    expect(lockedEntries).toHaveLength(1);
    const data = lockedEntries[0]!.data;
    expect(data.rootDigest).toEqual({ sha256: sha256(sums) });
    expect(data.lockDigest).toEqual(jsonDigest(lock));
    const manifestDoc = JSON.parse(await fs.readFile(manifest, 'utf8')) as { digest: unknown };
    const scorecard = JSON.parse(await fs.readFile(path.join(runDir, 'scorecard.json'), 'utf8')) as { success: boolean };
    expect(data).toMatchObject({ manifestDigest: manifestDoc.digest, scorecardDigest: jsonDigest(scorecard), success: scorecard.success, pairId: slot.pairId, variant: 'goal-centric', task: slot.task });
    expect(lock.manifestDigest).toEqual(manifestDoc.digest);
  });

  it('makes the run read-only: files 0444, folders 0555', async () => {
    const modes: Record<string, string> = {};
    const walk = async (rel: string): Promise<void> => {
      const st = await fs.lstat(path.join(runDir, rel));
      modes[rel || '.'] = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) for (const e of await fs.readdir(path.join(runDir, rel))) await walk(rel === '' ? e : `${rel}/${e}`);
    };
    await walk('');
    const expected = Object.fromEntries(Object.keys(modes).map((k) => [k, k === '.' || k === 'outputs' ? '555' : '444']));
    expect(modes).toEqual(expected);
    expect(Object.keys(modes)).toEqual(expect.arrayContaining(['.', 'outputs', 'lock.json', 'SHA256SUMS', 'outputs/greeting.txt']));
  });

  it('a second lock-run reports the run already locked and changes nothing (mtimes, modes, bytes)', async () => {
    const before = await snapshot(project.dir);
    const again = await cli(['lock-run', runDir], { cwd: project.dir });
    expect(again.exitCode, again.stderr).toBe(0);
    const root = sha256(await fs.readFile(path.join(runDir, 'SHA256SUMS')));
    expect(again.stdout).toBe(`already locked and verified; nothing changed: ${runId}: outcome hidden until every slot is done, as pre-registered (root sha256:${root})\n`);
    expect(await snapshot(project.dir)).toEqual(before);
  });

  it('registry.csv has a row for the pin and one for the lock, at the registry entries\' times', async () => {
    const csv = (await fs.readFile(path.join(runsDir, 'registry.csv'), 'utf8')).trimEnd().split('\n');
    const entries = await registry();
    const pinned = entries.find((e) => e.type === 'pinned' && e.data.runId === runId)!;
    const lockedEntry = entries.find((e) => e.type === 'locked' && e.data.runId === runId)!;
    const status = 'locked';
    expect(pinned.seq).toBeLessThan(lockedEntry.seq);
    expect(csv).toEqual([
      'run_id,variant,task,timestamp,status',
      `${runId},goal-centric,${slot.task},${pinned.at},pinned`,
      `${runId},goal-centric,${slot.task},${lockedEntry.at},${status}`,
    ]);
  });

  it('the attempt to leave the workspace is a CRITICAL paragraph in violations.log, in the seed format', async () => {
    const scorecard = JSON.parse(await fs.readFile(path.join(runDir, 'scorecard.json'), 'utf8')) as { violations: { rule: string; critical: boolean; message: string }[] };
    expect(scorecard.violations).toHaveLength(1);
    expect(scorecard.violations[0]).toMatchObject({ critical: true, message: expect.stringContaining('../../etc/passwd') });
    const violation = (await registry()).filter((e) => e.type === 'violation');
    expect(violation).toHaveLength(1);
    const log = await fs.readFile(path.join(runsDir, 'violations.log'), 'utf8');
    const paragraph = /^\[(\S+)\] CRITICAL: (\S+) (\S+) - (.+)\n {2}Action: (.+)\n {2}Status: (.+)\n\n$/.exec(log);
    expect(paragraph, log).not.toBeNull();
    const [, at, id, rule, message, action, status] = paragraph!;
    expect({ at, id, rule, message }).toEqual({ at: violation[0]!.at, id: runId, rule: scorecard.violations[0]!.rule, message: scorecard.violations[0]!.message });
    expect(new Date(at!).toISOString()).toBe(at);
    expect(action).toMatch(/refused/i);
    expect(status).not.toBe('');
  });

  // Runs last: it rewrites the registry.
  it('a lock and its violation are one registry write; a violation an older version lost is named by verify and registered again by lock-run', async () => {
    const entries = await registry();
    const lockedAt = entries.findIndex((e) => e.type === 'locked' && e.data.runId === runId);
    // Adjacent, same moment: they went out in one write, so no crash can keep one without the other.
    expect(entries[lockedAt + 1]).toMatchObject({ type: 'violation', seq: entries[lockedAt]!.seq + 1, at: entries[lockedAt]!.at, data: { runId } });
    expect(entries.filter((e) => e.type === 'violation')).toHaveLength(1);
    // What a crash between two appends left with an older version: the violation never registered.
    const file = path.join(runsDir, 'registry.jsonl');
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(lockedAt + 2);
    await fs.writeFile(file, `${lines.slice(0, -1).join('\n')}\n`);
    const verified = await cli(['verify', EXAMPLE], { cwd: project.dir });
    expect(verified.exitCode).toBe(1);
    expect(verified.stdout).toContain(`runs/${EXAMPLE}/registry.jsonl: ${runId}: 0 violation entries registered, its locked scorecard lists 1 (lost when an earlier version of harness was stopped between a lock and its violations: \`harness lock-run runs/${EXAMPLE}/${runId}\` registers them from the locked scorecard)`);
    const repaired = await cli(['lock-run', runDir, '--json'], { cwd: project.dir });
    expect(repaired.exitCode, repaired.stderr).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ runId, action: 'violations-registered' });
    expect((await registry()).filter((e) => e.type === 'violation').map((e) => e.data.runId)).toEqual([runId]);
    const again = await cli(['verify', EXAMPLE], { cwd: project.dir });
    expect(again.exitCode, again.stdout).toBe(0);
    // And only once: locking it again changes nothing.
    expect(JSON.parse((await cli(['lock-run', runDir, '--json'], { cwd: project.dir })).stdout)).toMatchObject({ action: 'already-locked' });
  });
});
