import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type CliResult } from '../test-support/cli.js';
import {
  SLOTS, expectEachSlotLockedOnce, expectVerifies, hx, isLocked, ofType, registry, runFolders, runSetDir, smallProject, startCli, waitFor, type Project,
} from './run-support.js';

// A `run` process whose owner lock is lost (its folder removed here; a process suspended past
// the stale time is the same to proper-lockfile) can no longer be sure its slot claims hold, so
// it stops at once with an error that says so, and the next `run` finishes the set as after a crash.

describe('a run whose owner lock is lost', () => {
  let p: Project;
  let stopped: { code: number | null; stdout: string; stderr: string };
  let unlockedAtStop: string[];
  let resumed: CliResult;

  beforeAll(async () => {
    // 150 ms per simulated response keeps runs in flight while the lock goes.
    p = await smallProject({ latencyMs: 150 });
    const claims = path.join(runSetDir(p), '.claims');
    const child = startCli(p, ['run', EXAMPLE, '-j', '2']);
    let ownerLock = '';
    await waitFor('an owner lock and a locked run', async () => {
      if (child.exited()) throw new Error(`run ended before its lock could be removed:\n${(await child.done).stderr}`);
      ownerLock = (await fs.readdir(claims).catch(() => [])).find((e) => e.startsWith('owner-') && e.endsWith('.lock')) ?? '';
      return ownerLock !== '' && ofType(await registry(p), 'locked').length >= 1;
    });
    await fs.rm(path.join(claims, ownerLock), { recursive: true });
    stopped = await child.done;
    unlockedAtStop = (await runFolders(p)).filter((id) => !isLocked(p, id));
    resumed = await hx(p, ['run', EXAMPLE, '-j', '4']);
  }, 90_000);
  afterAll(() => p.cleanup());

  it('stops with exit 1 and an error naming the lock and what to do, not a stack trace', () => {
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toMatch(/^error: lost this process's owner lock, which makes its slot claims valid \(.*\.claims\/owner-[0-9a-f]{16}\.lock\): .*; stopping so that no work is done twice$/m);
    expect(stopped.stderr).toMatch(/^hint: run the command again: work that was not locked is kept as an abandoned attempt and redone/m);
    expect(stopped.stderr).not.toMatch(/^\s+at /m);
  });

  it('the next run locks every slot once, registers the attempts it cut off as abandoned, and verifies', async () => {
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`completeness gate: ${SLOTS}/${SLOTS} slots locked`);
    await expectEachSlotLockedOnce(p);
    const abandoned = ofType(await registry(p), 'abandoned').map((e) => e.data.runId);
    expect(unlockedAtStop.length).toBeGreaterThan(0);
    expect(abandoned.sort()).toEqual([...unlockedAtStop].sort());
    await expectVerifies(p);
  });
});
