import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type CliResult } from '../test-support/cli.js';
import { appendEntry } from '../store/registry.js';
import { treeDigests } from './execute-support.js';
import {
  SLOTS, currentLocked, hx, isLocked, ofType, progressRows, registry, runFolders, runSetDir, slotKey, slotsOf, smallProject, type Project,
} from './run-support.js';

// Partial runs and reruns keep history: `run --only` touches just the slots it names, and
// `rerun` supersedes a locked run with a new attempt while the old run stays on disk, verifying,
// and in the registry with the reason; the slot still counts once.

type Status = { complete: boolean; progress: { total: { done: number; total: number }; variants: { variant: string; done: number; total: number }[] } };
type Manifest = Record<string, unknown> & { runId: string; slot: { attempt: number }; environment: Record<string, unknown> };

const REASON = 'evaluator bug fixed (test: rerun keeps history)';

describe('run --only, then rerun of one locked run', () => {
  let p: Project;
  let only: CliResult;
  let task3: Awaited<ReturnType<typeof slotsOf>>;
  let oldId: string;
  let newId: string;
  let rerun: CliResult;

  beforeAll(async () => {
    p = await smallProject();
    task3 = (await slotsOf(p)).filter((s) => s.task === 'TASK-003');
    only = await hx(p, ['run', EXAMPLE, '--only', 'task=TASK-003', '-j', '4']);
  }, 90_000);
  afterAll(async () => {
    await p.cleanup();
  });

  it('run --only task=TASK-003 runs just those slots', async () => {
    expect(only.exitCode, only.stdout + only.stderr).toBe(0);
    expect(only.stdout).toContain(`completeness gate: ${task3.length}/${task3.length} slots locked`);
    // The other tasks' slots are still open: outcomes by variant stay hidden (pre-registered blinding).
    expect(only.stdout).toMatch(/^goal-centric +\d+\/\d+ +blind +blind /m);
    expect(only.stdout).toContain('(outcomes hidden until every slot is done, as pre-registered)');
    expect(task3).toHaveLength(SLOTS / 4);
    expect(await runFolders(p)).toEqual(task3.map((s) => `${s.pairId}-${s.task}-${s.variant}-a1`).sort());
    for (const s of task3) expect(isLocked(p, `${s.pairId}-${s.task}-${s.variant}-a1`)).toBe(true);
    const entries = await registry(p);
    expect(entries.filter((e) => e.type !== 'frozen' && e.type !== 'violation' && e.data.task !== 'TASK-003')).toEqual([]);
    const rows = await progressRows(p);
    expect(rows.filter((r) => r.status === 'complete').map((r) => r.task_id)).toEqual(['TASK-003', 'TASK-003']);
    expect(rows.filter((r) => r.task_id !== 'TASK-003').map((r) => r.status)).toEqual(Array(6).fill('pending'));
  });

  it('--only task=TASK-003,variant=goal-centric is then up to date and writes nothing', async () => {
    const before = await treeDigests(runSetDir(p));
    const r = await hx(p, ['run', EXAMPLE, '--only', 'task=TASK-003,variant=goal-centric']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${task3.length / 2}/${task3.length / 2} up to date\n`);
    expect(await treeDigests(runSetDir(p))).toEqual(before);
  });

  it('status counts the TASK-003 slots as done and nothing else', async () => {
    const r = await hx(p, ['status', EXAMPLE, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Status;
    expect(s.complete).toBe(false);
    expect(s.progress.total).toMatchObject({ done: task3.length, total: SLOTS });
  });

  it('rerun <run-id> --reason makes attempt 2 and keeps the old run', async () => {
    const slot = task3.find((s) => s.variant === 'goal-centric')!;
    oldId = `${slot.pairId}-${slot.task}-${slot.variant}-a1`;
    newId = `${slot.pairId}-${slot.task}-${slot.variant}-a2`;
    rerun = await hx(p, ['rerun', oldId, '--reason', REASON, '--json']);
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toEqual({ superseded: oldId, newRunId: newId, success: null, blinded: true, brokenPair: [] });
    expect(isLocked(p, oldId)).toBe(true);
    expect(isLocked(p, newId)).toBe(true);
    expect(await runFolders(p)).toEqual([...task3.map((s) => `${s.pairId}-${s.task}-${s.variant}-a1`), newId].sort());
  });

  it('the old run still verifies, and so does the whole run set', async () => {
    const [one, all] = await Promise.all([hx(p, ['verify', path.join('runs', EXAMPLE, oldId)]), hx(p, ['verify', EXAMPLE])]);
    expect(one.exitCode, one.stdout).toBe(0);
    expect(all.exitCode, all.stdout).toBe(0);
    expect(all.stdout).toContain(`verified ${task3.length + 1} locked runs`);
  });

  it('the registry records the superseding with its reason, before the new attempt; registry.csv shows it', async () => {
    const entries = await registry(p);
    const superseded = ofType(entries, 'superseded');
    expect(superseded).toHaveLength(1);
    expect(superseded[0]!.data).toMatchObject({ runId: oldId, task: 'TASK-003', variant: 'goal-centric', reason: REASON });
    const pinnedNew = entries.find((e) => e.type === 'pinned' && e.data.runId === newId)!;
    expect(pinnedNew.data.attempt).toBe(2);
    expect(pinnedNew.seq).toBeGreaterThan(superseded[0]!.seq);
    expect(ofType(entries, 'locked').map((e) => e.data.runId)).toEqual(expect.arrayContaining([oldId, newId]));
    const current = currentLocked(entries);
    expect(current.get(slotKey(superseded[0]!.data))!.map((e) => e.data.runId)).toEqual([newId]);
    const csv = (await fs.readFile(path.join(runSetDir(p), 'registry.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv.filter((l) => l.startsWith(`${oldId},`)).map((l) => l.split(',').at(-1))).toEqual(['pinned', expect.stringMatching(/^locked(-success|-failed)?$/), 'superseded']);
    expect(csv.filter((l) => l.startsWith(`${newId},`)).map((l) => l.split(',').at(-1))).toEqual(['pinned', expect.stringMatching(/^locked(-success|-failed)?$/)]);
  });

  it('status still counts the slot once; progress.csv names the new attempt', async () => {
    const r = await hx(p, ['status', EXAMPLE, '--json']);
    const s = JSON.parse(r.stdout) as Status;
    expect(s.progress.total).toMatchObject({ done: task3.length, total: SLOTS });
    expect(s.progress.variants.find((v) => v.variant === 'goal-centric')).toMatchObject({ done: task3.length / 2 });
    const pairId = oldId.slice(0, 'pair-0000'.length);
    expect((await progressRows(p)).find((row) => row.pair_id === pairId)).toMatchObject({ status: 'complete', 'run_id_goal-centric': newId });
  });

  it('the new attempt pins what the old one pinned; verify-pairing fails only on a pin that really differs', async () => {
    const read = async (id: string) => JSON.parse(await fs.readFile(path.join(runSetDir(p), id, 'manifest.json'), 'utf8')) as Manifest;
    const [old, fresh] = [await read(oldId), await read(newId)];
    for (const key of ['experiment', 'task', 'variant', 'seed', 'provider', 'limits', 'evaluator', 'sandbox']) expect(fresh[key], key).toEqual(old[key]);
    expect(fresh.slot).toEqual({ ...old.slot, attempt: 2 });
    // The partner (role-centric) was run before the rerun: the same harness, unless the git
    // commit or another environment pin changed in between.
    const partner = await read(oldId.replace('goal-centric-a1', 'role-centric-a1'));
    const envPins = ['harnessVersion', 'gitCommit', 'lockfileDigest', 'nodeVersion'];
    const differing = envPins.filter((k) => JSON.stringify(partner.environment[k]) !== JSON.stringify(fresh.environment[k]));
    const r = await hx(p, ['verify-pairing', '--experiment', EXAMPLE, '--pair-id', oldId.slice(0, 'pair-0000'.length)]);
    if (differing.length === 0) {
      expect(r.exitCode, r.stdout).toBe(0);
      expect(r.stdout).toContain('1/1 pairs intact');
    } else {
      expect(r.exitCode).toBe(1);
      for (const k of differing) expect(r.stdout).toContain(`pin environment.${k} differs`);
    }
  });

  it('a superseded run cannot be rerun again, a run id that is not locked is refused, and a reason is required', async () => {
    const [again, unknown, blank] = await Promise.all([
      hx(p, ['rerun', oldId, '--reason', 'twice']),
      hx(p, ['rerun', 'pair-0001-TASK-001-role-centric-a1', '--reason', 'never ran', '--experiment', EXAMPLE]),
      hx(p, ['rerun', newId, '--reason', ' ']),
    ]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already superseded');
    expect(again.stderr).toContain(`hint: the run standing for its slot is ${newId}`);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('is not a locked run');
    expect(blank.exitCode).toBe(2);
    expect(blank.stderr).toContain('--reason');
    expect(ofType(await registry(p), 'superseded')).toHaveLength(1);
  });

  it('run --only task=TASK-003 is up to date after the rerun; --only given twice takes the slots of either', async () => {
    const r = await hx(p, ['run', EXAMPLE, '--only', 'task=TASK-003']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${task3.length}/${task3.length} up to date\n`);
    const either = await hx(p, ['run', EXAMPLE, '--only', 'task=TASK-003,variant=goal-centric', '--only', 'task=TASK-003,variant=role-centric']);
    expect(either.stdout).toBe(`${task3.length}/${task3.length} up to date\n`);
  });

  it('a bad --only exits 2 with a message and writes nothing', async () => {
    const before = await treeDigests(runSetDir(p));
    const cases: [string, RegExp][] = [
      ['task=TASK-999', /--only: unknown task "TASK-999"[\s\S]*known: TASK-001, TASK-002, TASK-003, TASK-004/],
      ['task=TASK-005', /--only: unknown task "TASK-005"/],
      ['task=TASK-003,variant=nope', /--only: unknown variant "nope"/],
      ['tsk=TASK-003', /--only: cannot read "tsk=TASK-003"/],
      ['', /--only: cannot read ""/],
      ['task=TASK-001,task=TASK-002', /--only "task=TASK-001,task=TASK-002" names a task twice; a slot has one/],
    ];
    const results = await Promise.all(cases.map(([spec]) => hx(p, ['run', EXAMPLE, '--only', spec])));
    for (const [i, [spec, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.exitCode, spec).toBe(2);
      expect(r.stderr, spec).toMatch(message);
      expect(r.stdout, spec).toBe('');
    }
    expect(await treeDigests(runSetDir(p))).toEqual(before);
    expect(existsSync(path.join(runSetDir(p), 'pair-0001-TASK-001-role-centric-a1'))).toBe(false);
  });

  // Last: it tampers with a locked run.
  it('a locked run that no longer verifies is named, not re-run, and fails the completeness gate (exit 1)', async () => {
    const log = path.join(runSetDir(p), newId, 'evaluation.log');
    await fs.chmod(log, 0o644);
    await fs.appendFile(log, 'edited after locking\n');
    await fs.chmod(log, 0o444);
    const r = await hx(p, ['run', EXAMPLE, '--only', 'task=TASK-003']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain(`locked runs that do not verify (not re-run; see \`harness verify ${EXAMPLE}\`): ${newId}\n`);
    expect(r.stdout).toContain(`completeness gate: FAILED, ${task3.length}/${task3.length} slots locked but 1 of them does not verify (listed above)\n`);
    expect(await runFolders(p)).toEqual([...task3.map((s) => `${s.pairId}-${s.task}-${s.variant}-a1`), newId].sort());
  });

  it('a locked run whose lock.json or whole folder was deleted is named and not re-run: its result is not redone as an "abandoned" attempt', async () => {
    const [noLock, noFolder] = task3.filter((s) => `${s.pairId}-${s.task}-${s.variant}-a1` !== oldId).map((s) => `${s.pairId}-${s.task}-${s.variant}-a1`);
    await fs.chmod(path.join(runSetDir(p), noLock!), 0o755);
    await fs.rm(path.join(runSetDir(p), noLock!, 'lock.json'));
    await fs.chmod(path.join(runSetDir(p), noFolder!), 0o755);
    await fs.rm(path.join(runSetDir(p), noFolder!), { recursive: true });
    const entriesBefore = (await registry(p)).length;
    const r = await hx(p, ['run', EXAMPLE, '--only', 'task=TASK-003']);
    expect(r.exitCode, r.stderr).toBe(1);
    const named = /locked runs that do not verify \(not re-run; see `harness verify \S+`\): (.*)\n/.exec(r.stdout)?.[1]?.split(', ');
    expect(named?.sort()).toEqual([newId, noLock, noFolder].sort());
    expect(r.stdout).toContain(`completeness gate: FAILED, ${task3.length}/${task3.length} slots locked but 3 of them do not verify (listed above)\n`);
    expect(existsSync(path.join(runSetDir(p), noLock!.replace(/-a1$/, '-a2')))).toBe(false);
    expect(existsSync(path.join(runSetDir(p), noFolder!.replace(/-a1$/, '-a2')))).toBe(false);
    expect(await registry(p)).toHaveLength(entriesBefore);

    // As verify's hint says, rerun redoes them (found by the registry when the folder is gone), and neither is recorded as abandoned.
    for (const id of [noLock!, noFolder!]) {
      const redone = await hx(p, ['rerun', id, '--reason', 'lock lost']);
      expect(redone.exitCode, redone.stderr).toBe(0);
      expect(redone.stdout).toContain(`superseded ${id}; new attempt ${id.replace(/-a1$/, '-a2')}`);
    }
    expect(ofType(await registry(p), 'abandoned')).toEqual([]);
  });
});

describe('status and analyze when a locked run lost or broke its scorecard', () => {
  let p: Project;
  let runDir: string;
  beforeAll(async () => {
    p = await smallProject();
    expect((await hx(p, ['run', EXAMPLE, '--only', 'task=TASK-001', '-j', '4'])).exitCode).toBe(0);
    runDir = path.join(runSetDir(p), ofType(await registry(p), 'locked')[0]!.data.runId);
    await fs.chmod(runDir, 0o755);
  }, 90_000);
  afterAll(async () => {
    await p.cleanup();
  });

  it('a scorecard gone: the slot still counts as done (status reads files; verify reports it)', async () => {
    const scorecard = await fs.readFile(path.join(runDir, 'scorecard.json'));
    await fs.rm(path.join(runDir, 'scorecard.json'));
    try {
      const r = await hx(p, ['status', EXAMPLE, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as Status).progress.total).toMatchObject({ done: 4, total: SLOTS });
    } finally {
      await fs.writeFile(path.join(runDir, 'scorecard.json'), scorecard, { mode: 0o444 });
    }
  });

  it('a scorecard that is not JSON: status still counts the slot; analyze refuses the run (exit 1) and names the file; never an internal error', async () => {
    await fs.chmod(path.join(runDir, 'scorecard.json'), 0o644);
    await fs.writeFile(path.join(runDir, 'scorecard.json'), '{"runId": ');
    const status = await hx(p, ['status', EXAMPLE, '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as Status).progress.total).toMatchObject({ done: 4, total: SLOTS });
    const analyze = await hx(p, ['analyze', EXAMPLE]);
    expect(analyze.exitCode).toBe(1);
    expect(analyze.stderr).toMatch(/^error: the registry of exp-001-role-vs-goal, or runs the analysis would use, no longer match what was recorded$/m);
    expect(analyze.stderr).toContain(`${path.relative(p.dir, runDir)}/scorecard.json`);
    expect(analyze.stderr).toContain('hint: `harness verify exp-001-role-vs-goal` lists every problem');
  });

});

describe('a rerun stopped after it marked the old run superseded', () => {
  let q: Project;
  afterAll(() => q?.cleanup());

  it('rerun of the same run id says the rerun was cut off and gives the run command that finishes it', async () => {
    q = await smallProject();
    const done = await hx(q, ['run', EXAMPLE, '-j', '4']);
    expect(done.exitCode, done.stderr).toBe(0);
    const slot = (await slotsOf(q))[0]!;
    const oldId = `${slot.pairId}-${slot.task}-${slot.variant}-a1`;
    // What `rerun` registers first; the kill comes before the new attempt is pinned.
    await appendEntry(path.join(runSetDir(q), 'registry.jsonl'), EXAMPLE, 'superseded', { runId: oldId, slotIndex: slot.index, pairId: slot.pairId, task: slot.task, variant: slot.variant, reason: REASON });
    const again = await hx(q, ['rerun', oldId, '--reason', REASON]);
    expect(again.exitCode).toBe(2);
    const finish = `harness run ${EXAMPLE} --only pair=${slot.pairId},variant=${slot.variant}`;
    expect(again.stderr).toContain(`hint: it was rerun, and that rerun stopped before its new attempt was locked; finish it: \`${finish}\``);
    const finished = await hx(q, finish.split(' ').slice(1));
    expect(finished.exitCode, finished.stderr).toBe(0);
    expect(isLocked(q, `${slot.pairId}-${slot.task}-${slot.variant}-a2`)).toBe(true);
  }, 120_000);
});
