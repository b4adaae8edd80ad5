import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDigest } from '../core/digest.js';
import type { EntryOf } from '../core/entries.js';
import { appendEntriesLocked } from '../store/registry.js';
import { lockDigest, writeLock } from '../store/run-lock.js';
import { EXAMPLE } from '../test-support/cli.js';
import { cli } from './execute-support.js';
import { RUNS, asWritable, lockedSet, problems, registryLines, sha256, type Entry, type LockedSet } from './verify-tamper-support.js';

// `verify` on a set of four locked runs: clean as made, then each kind of tampering with a run's
// files, done on a fresh copy of the set, makes it exit 1 and names the file — and nothing else.

let set: LockedSet;
const tampered = (...args: Parameters<LockedSet['tampered']>) => set.tampered(...args);
const run = (i: number) => set.run(i);

describe('verify: a locked run set and copies with tampered runs', () => {
  beforeAll(async () => {
    set = await lockedSet();
  }, 90_000);
  afterAll(() => set.project.cleanup());

  it('an untouched set verifies clean (exit 0)', () => {
    expect(set.clean.exitCode, set.clean.stdout + set.clean.stderr).toBe(0);
    // freeze + 4 pinned + 4 locked
    expect(set.clean.stdout).toBe('verified 4 locked runs and 9 registry entries: clean\n');
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

  it.concurrent('a deleted run folder: exit 1, naming the run and the registry entry that locked it', async () => {
    let seq = -1;
    const r = await tampered(async (dir) => {
      seq = (await registryLines(dir)).map((l) => JSON.parse(l) as Entry).find((e) => e.type === 'locked' && e.data.runId === set.runIds[3])!.seq;
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
    expect(found).toContain(`${run(2)}.bak: holds run ${set.runIds[2]} (its lock says so) under another name: renamed? rename it back to ${set.runIds[2]}`);
    expect(found).toContainEqual(expect.stringMatching(new RegExp(`^${run(2)}: run folder deleted or renamed: registry entry \\d+ locked it$`)));
    const lock = await cli(['lock-run', `${run(2)}.bak`], { cwd: r.dir });
    expect(lock.exitCode).toBe(1);
    expect(lock.stderr).toContain(`rename it back to ${set.runIds[2]}`);
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
      const lock = await writeLock(runDir, set.runIds[0]!, manifest.digest, jsonDigest(scorecard), new Date());
      const registry = path.join(dir, RUNS, 'registry.jsonl');
      const first = (await registryLines(dir)).map((l) => JSON.parse(l) as EntryOf<'locked'>).find((e) => e.type === 'locked' && e.data.runId === set.runIds[0])!;
      firstSeq = first.seq;
      appended = (await appendEntriesLocked(registry, [{ experiment: EXAMPLE, type: 'locked', data: { ...first.data, rootDigest: lock.rootDigest, lockDigest: lockDigest(lock) } }]))[0]!.seq;
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([
      `${RUNS}/registry.jsonl: entry ${appended} locks ${set.runIds[0]} again (entry ${firstSeq} locked it): a run is registered as locked once`,
      expect.stringMatching(new RegExp(`^${run(0)}/lock\\.json: edited: the registry recorded lock sha256:`)),
    ]);
  });
});
