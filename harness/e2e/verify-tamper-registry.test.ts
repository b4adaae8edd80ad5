import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntryOf } from '../core/entries.js';
import type { RegistryEntry } from '../core/types/index.js';
import { entryDigest } from '../store/registry.js';
import { EXAMPLE } from '../test-support/cli.js';
import { cli, scheduleOf } from './execute-support.js';
import { RUNS, lockedSet, problems, registryLines, writeRegistry, type Entry, type LockedSet } from './verify-tamper-support.js';

// `verify` (and the commands that read or add to a run set) on copies of a set of four locked
// runs whose registry or record files were tampered with: each names the entry or file.

let set: LockedSet;
const copyOfSet = () => set.copyOfSet();
const tampered = (...args: Parameters<LockedSet['tampered']>) => set.tampered(...args);

describe('verify: copies of a locked run set with a tampered registry or record files', () => {
  beforeAll(async () => {
    set = await lockedSet();
  }, 90_000);
  afterAll(() => set.project.cleanup());

  it.concurrent('a freeze record that no longer matches its schema: exit 1, naming the key, not a TypeError', async () => {
    const r = await tampered(async (dir) => {
      const file = path.join(dir, RUNS, 'experiment.lock.json');
      const record = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
      delete record.schedule;
      await fs.writeFile(file, JSON.stringify(record));
    });
    expect(r.exitCode).toBe(1);
    expect(problems(r.stdout)).toEqual([`${RUNS}/experiment.lock.json:1:1 /: missing required key "schedule"`]);
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
      const entry = entries[at] as EntryOf<'locked'>;
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
      const entries = (await registryLines(dir)).map((l) => JSON.parse(l) as EntryOf<'locked'>);
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
    for (const args of [['run', EXAMPLE], ['rerun', set.runIds[0]!, '--reason', 'x'], ['exclude', EXAMPLE, '--pair-id', 'pair-0001', '--rule', 'harness-fault', '--reason', 'x']]) {
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

});
