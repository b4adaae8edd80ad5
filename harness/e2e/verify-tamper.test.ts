import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDigest } from '../core/digest.js';
import type { RegistryEntry } from '../core/types/index.js';
import { appendEntriesLocked, entryDigest } from '../store/registry.js';
import { lockDigest, writeLock } from '../store/run-lock.js';
import { EXAMPLE, scratchProject } from '../test-support/cli.js';
import { cli, editYaml, freezeCli, scheduleOf, slotArgs } from './execute-support.js';

// `verify` on a set of four locked runs: clean as made, then each kind of tampering, done on a
// fresh copy of the set, makes it exit 1 and names the file or registry entry — and nothing else.

const RUNS = `runs/${EXAMPLE}`;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
type Entry = { seq: number; type: string; data: { runId?: string } };

/** Runs `fn` with `p` made writable by its owner, then puts the mode back: a tamperer covers their tracks. */
async function asWritable(p: string, fn: () => Promise<void>): Promise<void> {
  const mode = (await fs.stat(p)).mode & 0o7777;
  await fs.chmod(p, mode | 0o200);
  try {
    await fn();
  } finally {
    await fs.chmod(p, mode);
  }
}

describe('verify: a locked run set and its tampered copies', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let runIds: string[];
  let copies = 0;
  let clean: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    project = await scratchProject();
    // No simulated escape attempts: the registry then ends with a `locked` entry, not a violation.
    await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => {
      for (const b of Object.values((doc.simulator as { behaviour: Record<string, Record<string, number>> }).behaviour)) b.wander = 0;
    });
    await freezeCli(project.dir);
    const slots = (await scheduleOf(project.dir)).slice(0, 4);
    const full = await Promise.all(slots.map((s) => cli(['pin-and-run', '--full', ...slotArgs(s), '--json'], { cwd: project.dir })));
    for (const r of full) expect(r.exitCode, r.stderr).toBe(0);
    runIds = full.map((r) => (JSON.parse(r.stdout) as { runId: string }).runId);
    clean = await cli(['verify', EXAMPLE], { cwd: project.dir });
  }, 90_000);
  afterAll(() => project.cleanup());

  /** A copy of the locked set (modes and times kept) inside the scratch project, so cleanup removes it. */
  async function copyOfSet(): Promise<string> {
    const dir = path.join(project.dir, 'copies', String(++copies));
    for (const sub of ['experiments', 'runs']) await fs.cp(path.join(project.dir, sub), path.join(dir, sub), { recursive: true, preserveTimestamps: true });
    return dir;
  }

  /** Tampers with a fresh copy, then runs `verify` on it. */
  async function tampered(fn: (dir: string) => Promise<void>, args: string[] = [EXAMPLE]): Promise<{ exitCode: number; stdout: string; stderr: string; dir: string }> {
    const dir = await copyOfSet();
    await fn(dir);
    return { dir, ...(await cli(['verify', ...args], { cwd: dir })) };
  }

  const run = (i: number) => `${RUNS}/${runIds[i]}`;
  const problems = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.slice(2));
  const registryLines = async (dir: string) => (await fs.readFile(path.join(dir, RUNS, 'registry.jsonl'), 'utf8')).split('\n').slice(0, -1);
  const writeRegistry = (dir: string, lines: string[], end = '\n') => fs.writeFile(path.join(dir, RUNS, 'registry.jsonl'), lines.join('\n') + end);

  it('an untouched set verifies clean (exit 0)', () => {
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
    // freeze + 4 pinned + 4 locked
    expect(clean.stdout).toBe('verified 4 locked runs and 9 registry entries: clean\n');
  });

  // Each case below works on its own copy, so they run concurrently.
  it.concurrent('a copy of the set, modes and times kept, is still clean', async () => {
    const r = await tampered(async () => {});
    expect(r.exitCode, r.stdout).toBe(0);
  });

  it.concurrent('a modified output file: exit 1, named with the expected and actual sha256', async () => {
    let before = '';
    let after = '';
    const r = await tampered(async (dir) => {
      const file = path.join(dir, run(0), 'outputs/greeting.txt');
      before = sha256(await fs.readFile(file));
      await asWritable(file, () => fs.appendFile(file, 'x'));
      after = sha256(await fs.readFile(file));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${run(0)}/outputs/greeting.txt: modified: expected sha256 ${before}, actual ${after}`]);
    expect(r.stdout).toMatch(new RegExp(`^1 problem in ${RUNS}:$`, 'm'));
    expect(r.stdout).toMatch(/^hint: a changed locked run is never repaired in place: .*`harness rerun <run-id> --reason "…"`/m);
  });

  it.concurrent('the same modification through `verify <run dir> --json`: ok false and the problem', async () => {
    const r = await tampered(async (dir) => {
      const file = path.join(dir, run(0), 'outputs/greeting.txt');
      await asWritable(file, () => fs.appendFile(file, 'x'));
    }, [run(0), '--json']);
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; lockedRuns: number; problems: { file: string; message: string }[] };
    expect(report.ok).toBe(false);
    expect(report.lockedRuns).toBe(1);
    expect(report.problems).toEqual([{ file: `${run(0)}/outputs/greeting.txt`, message: expect.stringMatching(/^modified: expected sha256 [0-9a-f]{64}, actual [0-9a-f]{64}$/) }]);
    expect(report).toMatchObject({ run: run(0), runsDir: RUNS });
  });

  it.concurrent('an added file: exit 1, named', async () => {
    const r = await tampered(async (dir) => {
      const outputs = path.join(dir, run(1), 'outputs');
      await asWritable(outputs, async () => {
        await fs.writeFile(path.join(outputs, 'extra.txt'), 'smuggled\n');
        await fs.chmod(path.join(outputs, 'extra.txt'), 0o444);
      });
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${run(1)}/outputs/extra.txt: added after locking (sha256 ${sha256('smuggled\n')})`]);
  });

  it.concurrent('a deleted file: exit 1, named with the digest it had', async () => {
    let digest = '';
    const r = await tampered(async (dir) => {
      const file = path.join(dir, run(0), 'outputs/README.md');
      digest = sha256(await fs.readFile(file));
      await asWritable(path.dirname(file), () => fs.rm(file));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${run(0)}/outputs/README.md: deleted (expected sha256 ${digest})`]);
  });

  it.concurrent('a renamed file: exit 1, "renamed to" its new name', async () => {
    const r = await tampered(async (dir) => {
      const outputs = path.join(dir, run(0), 'outputs');
      await asWritable(outputs, () => fs.rename(path.join(outputs, 'greeting.txt'), path.join(outputs, 'greeting.bak')));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${run(0)}/outputs/greeting.txt: renamed to outputs/greeting.bak`]);
  });

  it.concurrent('a loosened permission (chmod 644 a file): exit 1, named', async () => {
    const r = await tampered((dir) => fs.chmod(path.join(dir, run(2), 'scorecard.json'), 0o644));
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${run(2)}/scorecard.json: permission loosened: writable (mode 644), a locked run is read-only`]);
  });

  it.concurrent('a registry entry edited (JSON still valid): exit 1, naming its line', async () => {
    let line = 0;
    let seq = -1;
    let entry: (Entry & { data: { success: boolean } }) | undefined;
    const r = await tampered(async (dir) => {
      const lines = await registryLines(dir);
      line = lines.findIndex((l) => (JSON.parse(l) as Entry).type === 'locked');
      entry = JSON.parse(lines[line]!) as Entry & { data: { success: boolean } };
      seq = entry.seq;
      entry.data.success = !entry.data.success;
      lines[line] = JSON.stringify(entry);
      await writeRegistry(dir, lines);
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([
      `${RUNS}/registry.jsonl:${line + 1}: edited: entry ${seq} (locked) no longer matches its digest`,
      `${RUNS}/registry.jsonl: entry ${seq} (locked ${entry!.data.runId}) disagrees with the locked run: success (${entry!.data.success}, the scorecard says ${!entry!.data.success})`,
    ]);
    // The way out fits the damage: the registry is restored, not a run redone.
    expect(r.stdout).toMatch(/^hint: the registry is append-only: restore registry\.jsonl from a backup/m);
    expect(r.stdout).not.toContain('never repaired in place');
  });

  it.concurrent('the registry deleted: every command that reads the set refuses (exit 1), none starts a new one', async () => {
    const dir = await copyOfSet();
    const file = path.join(dir, RUNS, 'registry.jsonl');
    await fs.rm(file);
    for (const args of [['status'], ['run'], ['analyze'], ['audit'], ['freeze'], ['exclude', '--pair-id', 'pair-0001', '--rule', 'harness-fault', '--reason', 'x']]) {
      const r = await cli([args[0]!, EXAMPLE, ...args.slice(1)], { cwd: dir });
      expect(r.exitCode, args[0]).toBe(1);
      expect(r.stderr, args[0]).toContain(`${RUNS}/registry.jsonl: deleted: a frozen run set keeps its registry from the freeze on`);
    }
    await expect(fs.access(file)).rejects.toThrow();
  });

  it.concurrent("a locked run's outcome flipped in the registry with the hash chain recomputed: verify names the entry, analyze refuses the edit without the recomputation", async () => {
    let seq = -1;
    let runId = '';
    let flipped = false;
    const r = await tampered(async (dir) => {
      const lines = await registryLines(dir);
      const at = lines.findIndex((l) => (JSON.parse(l) as Entry).type === 'locked');
      const entries = lines.map((l) => JSON.parse(l) as RegistryEntry);
      const entry = entries[at] as Extract<RegistryEntry, { type: 'locked' }>;
      ({ seq, data: { runId } } = entry);
      flipped = !entry.data.success;
      entry.data.success = flipped;
      for (let i = at; i < entries.length; i++) {
        if (i > 0) entries[i]!.prev = entries[i - 1]!.digest;
        entries[i]!.digest = entryDigest(entries[i]!);
      }
      await writeRegistry(dir, entries.map((e) => JSON.stringify(e)));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${RUNS}/registry.jsonl: entry ${seq} (locked ${runId}) disagrees with the locked run: success (${flipped}, the scorecard says ${!flipped})`]);
    const recomputed = await cli(['analyze', EXAMPLE, '--unblind', '--reason', 'look'], { cwd: r.dir });
    expect(recomputed.exitCode).toBe(1);
    expect(recomputed.stderr).toContain(`${RUNS}/registry.jsonl: entry ${seq} (locked ${runId}) disagrees with the locked run`);

    const broken = await copyOfSet();
    const lines = await registryLines(broken);
    const at = lines.findIndex((l) => (JSON.parse(l) as Entry).type === 'locked');
    lines[at] = lines[at]!.replace(/"success":(true|false)/, (_m, v: string) => `"success":${v === 'true' ? 'false' : 'true'}`);
    await writeRegistry(broken, lines);
    const analyze = await cli(['analyze', EXAMPLE, '--unblind', '--reason', 'look'], { cwd: broken });
    expect(analyze.exitCode).toBe(1);
    expect(analyze.stderr).toContain(`error: the registry of ${EXAMPLE}, or runs the analysis would use, no longer match what was recorded`);
    expect(analyze.stderr).toContain(`${RUNS}/registry.jsonl:${at + 1}: edited: entry ${at} (locked) no longer matches its digest`);
  });

  it.concurrent("the two runs of a pair swapped between arms in the registry, its chain recomputed: verify names both entries", async () => {
    const seqs: number[] = [];
    const r = await tampered(async (dir) => {
      const entries = (await registryLines(dir)).map((l) => JSON.parse(l) as Extract<RegistryEntry, { type: 'locked' }>);
      const locked = entries.filter((e) => e.type === 'locked');
      const a = locked[0]!;
      const b = locked.find((e) => e.data.pairId === a.data.pairId && e !== a)!;
      [a.data.variant, b.data.variant] = [b.data.variant, a.data.variant];
      seqs.push(a.seq, b.seq);
      for (let i = Math.min(a.seq, b.seq); i < entries.length; i++) {
        if (i > 0) entries[i]!.prev = entries[i - 1]!.digest;
        entries[i]!.digest = entryDigest(entries[i]!);
      }
      await writeRegistry(dir, entries.map((e) => JSON.stringify(e)));
    });
    expect(r.exitCode).toBe(1);
    const found = problems(r.stdout);
    for (const seq of seqs) expect(found).toContainEqual(expect.stringMatching(new RegExp(`^${RUNS}/registry.jsonl: entry ${seq} \\(locked \\S+\\) disagrees with the locked run: variant \\(\\S+, the manifest says \\S+\\)$`)));
  });

  it.concurrent('registry.csv edited without changing its size: verify names it; removed, the next run writes it anew', async () => {
    const csv = (dir: string) => path.join(dir, RUNS, 'registry.csv');
    let original = '';
    const r = await tampered(async (dir) => {
      original = await fs.readFile(csv(dir), 'utf8');
      await fs.writeFile(csv(dir), original.replace(/,locked\n/, ',lockeD\n'));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${RUNS}/registry.csv: does not match the registry it is derived from (edited?): remove it, and the next \`harness run\` writes it anew`]);
    await fs.rm(csv(r.dir));
    await cli(['run', EXAMPLE, '--only', `task=${(await scheduleOf(r.dir))[0]!.task}`], { cwd: r.dir });
    expect(await fs.readFile(csv(r.dir), 'utf8')).toContain(original.split('\n')[1]!);
  });

  it.concurrent('a line added to violations.log, or entries cut off the end of the registry: verify names each', async () => {
    const added = await tampered((dir) => fs.appendFile(path.join(dir, RUNS, 'violations.log'), '[2026-01-01T00:00:00.000Z] CRITICAL: made up\n'));
    expect(added.exitCode).toBe(1);
    expect(problems(added.stdout)).toEqual([`${RUNS}/violations.log: does not match the registry it is derived from (edited?): remove it, and the next \`harness run\` writes it anew`]);
    let last = -1;
    const cut = await tampered(async (dir) => {
      const lines = await registryLines(dir);
      last = lines.length - 1;
      await writeRegistry(dir, lines.slice(0, -2));
    });
    expect(cut.exitCode).toBe(1);
    expect(problems(cut.stdout)).toContain(`${RUNS}/registry.jsonl: ends at entry ${last - 2}, but its record files were written through entry ${last}: entries were cut off its end`);
  });

  it.concurrent('a registry with a broken chain is added to by nothing: run, rerun and exclude refuse (exit 1), the registry stays as it is', async () => {
    const dir = await copyOfSet();
    const lines = await registryLines(dir);
    const at = lines.findIndex((l) => (JSON.parse(l) as Entry).type === 'pinned');
    lines[at] = lines[at]!.replace(/"at":"(\d{4})/, (_m, y: string) => `"at":"${Number(y) - 1}`);
    await writeRegistry(dir, lines);
    const before = await fs.readFile(path.join(dir, RUNS, 'registry.jsonl'), 'utf8');
    for (const args of [['run', EXAMPLE], ['rerun', runIds[0]!, '--reason', 'x'], ['exclude', EXAMPLE, '--pair-id', 'pair-0001', '--rule', 'harness-fault', '--reason', 'x']]) {
      const r = await cli(args, { cwd: dir });
      expect(r.exitCode, args[0]).toBe(1);
      expect(r.stderr, args[0]).toContain(`error: the registry of ${EXAMPLE} is broken, so nothing is added to it`);
      expect(r.stderr, args[0]).toContain(`${RUNS}/registry.jsonl:${at + 1}: edited: entry ${at} (pinned) no longer matches its digest`);
    }
    expect(await fs.readFile(path.join(dir, RUNS, 'registry.jsonl'), 'utf8')).toBe(before);
  });

  it.concurrent('a registry entry removed from the middle: exit 1, naming where the chain breaks', async () => {
    let removed: Entry | undefined;
    const r = await tampered(async (dir) => {
      const lines = await registryLines(dir);
      removed = JSON.parse(lines[2]!) as Entry;
      lines.splice(2, 1);
      await writeRegistry(dir, lines);
    });
    expect(r.exitCode).toBe(1);
    const found = problems(r.stdout);
    expect(found).toContain(`${RUNS}/registry.jsonl:3: entry 3 found at position 2: entries were removed, inserted or reordered`);
    expect(found).toContain(`${RUNS}/registry.jsonl:3: chain broken: entry 3 does not point to the entry before it`);
    for (let l = 4; l <= 8; l++) expect(found).toContain(`${RUNS}/registry.jsonl:${l}: entry ${l} found at position ${l - 1}: entries were removed, inserted or reordered`);
    // A removed `locked` entry also leaves its run unregistered.
    if (removed!.type === 'locked') expect(found).toContain(`${RUNS}/${removed!.data.runId}/lock.json: locked but not registered: the registry has no \`locked\` entry for this run (a lock cut off by a crash, which \`harness run\` or \`harness lock-run\` on the folder finishes; or the registry was truncated or the entry removed)`);
  });

  it.concurrent('two registry entries swapped: exit 1, naming both lines and the one after', async () => {
    const r = await tampered(async (dir) => {
      const lines = await registryLines(dir);
      [lines[3], lines[4]] = [lines[4]!, lines[3]!];
      await writeRegistry(dir, lines);
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([
      `${RUNS}/registry.jsonl:4: entry 4 found at position 3: entries were removed, inserted or reordered`,
      `${RUNS}/registry.jsonl:4: chain broken: entry 4 does not point to the entry before it`,
      `${RUNS}/registry.jsonl:5: entry 3 found at position 4: entries were removed, inserted or reordered`,
      `${RUNS}/registry.jsonl:5: chain broken: entry 3 does not point to the entry before it`,
      `${RUNS}/registry.jsonl:6: chain broken: entry 5 does not point to the entry before it`,
    ]);
  });

  it.concurrent('the registry cut off in the middle of its last line: exit 1, truncated, and the last run unregistered', async () => {
    let last: Entry | undefined;
    let complete = 0;
    const r = await tampered(async (dir) => {
      const lines = await registryLines(dir);
      last = JSON.parse(lines.at(-1)!) as Entry;
      complete = Buffer.byteLength(`${lines.slice(0, -1).join('\n')}\n`);
      lines[lines.length - 1] = lines.at(-1)!.slice(0, Math.floor(lines.at(-1)!.length / 2));
      await writeRegistry(dir, lines, '');
    });
    expect(last!.type).toBe('locked');
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout).sort()).toEqual([
      `${RUNS}/${last!.data.runId}/lock.json: locked but not registered: the registry has no \`locked\` entry for this run (a lock cut off by a crash, which \`harness run\` or \`harness lock-run\` on the folder finishes; or the registry was truncated or the entry removed)`,
      `${RUNS}/registry.jsonl:9: not a JSON entry (edited or cut off)`,
      `${RUNS}/registry.jsonl:9: truncated: the last entry is cut off (an append interrupted by a power loss or a full disk; keep a copy (cp ${RUNS}/registry.jsonl ${RUNS}/registry.jsonl.cut-off), then, with no harness command running, cut the incomplete line off (truncate -s ${complete} ${RUNS}/registry.jsonl))`,
    ].sort());
  });

  it.concurrent('the last whole registry line dropped (the chain still links): exit 1, because a locked run is no longer registered', async () => {
    let last: Entry | undefined;
    const r = await tampered(async (dir) => {
      const lines = await registryLines(dir);
      last = JSON.parse(lines.pop()!) as Entry;
      await writeRegistry(dir, lines);
    });
    expect(last!.type).toBe('locked');
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([
      `${RUNS}/registry.jsonl: ends at entry ${last!.seq - 1}, but its record files were written through entry ${last!.seq}: entries were cut off its end`,
      `${RUNS}/${last!.data.runId}/lock.json: locked but not registered: the registry has no \`locked\` entry for this run (a lock cut off by a crash, which \`harness run\` or \`harness lock-run\` on the folder finishes; or the registry was truncated or the entry removed)`,
    ]);
  });

  it.concurrent('a deleted run folder: exit 1, naming the run and the registry entry that locked it', async () => {
    let seq = -1;
    const r = await tampered(async (dir) => {
      seq = (await registryLines(dir)).map((l) => JSON.parse(l) as Entry).find((e) => e.type === 'locked' && e.data.runId === runIds[3])!.seq;
      const runDir = path.join(dir, run(3));
      await asWritable(path.dirname(runDir), async () => {
        for (const p of [runDir, path.join(runDir, 'outputs')]) await fs.chmod(p, 0o755);
        await fs.rm(runDir, { recursive: true });
      });
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${run(3)}: run folder deleted or renamed: registry entry ${seq} locked it`]);
  });

  it.concurrent('a renamed run folder: verify names both names; lock-run on the new name refuses it instead of calling it locked', async () => {
    const r = await tampered(async (dir) => {
      const runDir = path.join(dir, run(2));
      await asWritable(path.dirname(runDir), () => fs.rename(runDir, `${runDir}.bak`));
    });
    expect(r.exitCode).toBe(1);
    const found = problems(r.stdout);
    expect(found).toContain(`${run(2)}.bak: holds run ${runIds[2]} (its lock says so) under another name: renamed? rename it back to ${runIds[2]}`);
    expect(found).toContainEqual(expect.stringMatching(new RegExp(`^${run(2)}: run folder deleted or renamed: registry entry \\d+ locked it$`)));
    const lock = await cli(['lock-run', `${run(2)}.bak`], { cwd: r.dir });
    expect(lock.exitCode).toBe(1);
    expect(lock.stderr).toContain(`rename it back to ${runIds[2]}`);
  });

  it.concurrent('an edited lock.json: exit 1, naming it', async () => {
    const r = await tampered(async (dir) => {
      const file = path.join(dir, run(1), 'lock.json');
      const lock = JSON.parse(await fs.readFile(file, 'utf8')) as { lockedAt: string };
      lock.lockedAt = '2020-01-01T00:00:00.000Z';
      await asWritable(file, () => fs.writeFile(file, JSON.stringify(lock, null, 2)));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringMatching(new RegExp(`^${run(1)}/lock\\.json: edited: the registry recorded lock sha256:[0-9a-f]{12}… \\(root [0-9a-f]{12}…\\), the file is now sha256:[0-9a-f]{12}… \\(root [0-9a-f]{12}…\\)$`))]);
  });

  it.concurrent('an output changed and its lock.json and SHA256SUMS rewritten to match: caught by the registry', async () => {
    const r = await tampered(async (dir) => {
      const runDir = path.join(dir, run(0));
      const file = path.join(runDir, 'outputs/greeting.txt');
      await asWritable(file, () => fs.writeFile(file, 'Hello, Ada!\nWelcome to the platform team. Your first standup is Monday at 09:30.\n'));
      const digest = sha256(await fs.readFile(file));
      const sumsFile = path.join(runDir, 'SHA256SUMS');
      const sums = (await fs.readFile(sumsFile, 'utf8')).replace(/^[0-9a-f]{64}(?= {2}outputs\/greeting\.txt$)/m, digest);
      await asWritable(sumsFile, () => fs.writeFile(sumsFile, sums));
      const lockFile = path.join(runDir, 'lock.json');
      const lock = JSON.parse(await fs.readFile(lockFile, 'utf8')) as { rootDigest: { sha256: string }; files: { path: string; size: number; sha256: string }[] };
      const entry = lock.files.find((f) => f.path === 'outputs/greeting.txt')!;
      Object.assign(entry, { sha256: digest, size: (await fs.stat(file)).size });
      lock.rootDigest = { sha256: sha256(sums) };
      await asWritable(lockFile, () => fs.writeFile(lockFile, JSON.stringify(lock, null, 2)));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringMatching(new RegExp(`^${run(0)}/lock\\.json: edited: the registry recorded lock sha256:`))]);
  });

  it.concurrent('a run re-locked after changing an output and re-registered with a second, well-chained `locked` entry: caught', async () => {
    let firstSeq = -1;
    let appended = -1;
    const r = await tampered(async (dir) => {
      const runDir = path.join(dir, run(0));
      for (const p of [runDir, path.join(runDir, 'outputs')]) await fs.chmod(p, 0o755);
      await fs.chmod(path.join(runDir, 'outputs/greeting.txt'), 0o644);
      await fs.writeFile(path.join(runDir, 'outputs/greeting.txt'), 'Hello, Ada!\nWelcome to the platform team. Your first standup is Monday at 09:30.\n');
      for (const f of ['lock.json', 'SHA256SUMS']) await fs.rm(path.join(runDir, f), { force: true });
      // The harness's own lock and append: everything but the registry's history now agrees.
      const manifest = JSON.parse(await fs.readFile(path.join(runDir, 'manifest.json'), 'utf8')) as { digest: { sha256: string } };
      const scorecard = JSON.parse(await fs.readFile(path.join(runDir, 'scorecard.json'), 'utf8')) as unknown;
      const lock = await writeLock(runDir, runIds[0]!, manifest.digest, jsonDigest(scorecard), new Date());
      const registry = path.join(dir, RUNS, 'registry.jsonl');
      const first = (await registryLines(dir)).map((l) => JSON.parse(l) as Extract<RegistryEntry, { type: 'locked' }>).find((e) => e.type === 'locked' && e.data.runId === runIds[0])!;
      firstSeq = first.seq;
      appended = (await appendEntriesLocked(registry, [{ experiment: EXAMPLE, type: 'locked', data: { ...first.data, rootDigest: lock.rootDigest, lockDigest: lockDigest(lock) } }]))[0]!.seq;
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([
      `${RUNS}/registry.jsonl: entry ${appended} locks ${runIds[0]} again (entry ${firstSeq} locked it): a run is registered as locked once`,
      expect.stringMatching(new RegExp(`^${run(0)}/lock\\.json: edited: the registry recorded lock sha256:`)),
    ]);
  });
});
