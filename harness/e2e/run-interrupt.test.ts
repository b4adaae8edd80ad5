import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, type CliResult } from '../test-support/cli.js';
import {
  SLOTS, expectEachSlotLockedOnce, expectVerifies, hx, isLocked, ofType, registry, runFolders, runSetDir, smallProject, startCli, waitFor, type Project,
} from './run-support.js';

// Ctrl-C (SIGINT), or SIGTERM as `timeout` and `docker stop` send it, on `harness run`: no further
// run starts, the runs whose agents are under way finish and lock (with Claude, their calls are
// paid for), and the next `run` does the rest.

describe.each(['SIGINT', 'SIGTERM'] as const)('run stopped with %s', (signal) => {
  let p: Project;
  let stopped: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
  let lockedAtSignal: number;
  let executedButUnlocked: string[];
  let resumed: CliResult;

  beforeAll(async () => {
    // 150 ms per simulated response keeps agents under way when the signal comes.
    p = await smallProject({ latencyMs: 150 });
    const child = startCli(p, ['run', EXAMPLE, '-j', '2']);
    await waitFor('two locked runs', async () => {
      if (child.exited()) throw new Error(`run ended before it could be interrupted:\n${(await child.done).stderr}`);
      return existsSync(path.join(runSetDir(p), 'registry.jsonl')) && ofType(await registry(p), 'locked').length >= 2;
    });
    lockedAtSignal = ofType(await registry(p), 'locked').length;
    process.kill(child.pid, signal);
    stopped = await child.done;
    // A run folder with a trace was executed; every one of them must have been locked.
    executedButUnlocked = (await runFolders(p)).filter((id) => existsSync(path.join(runSetDir(p), id, 'agent.log')) && !isLocked(p, id));
    resumed = await hx(p, ['run', EXAMPLE, '-j', '4']);
  }, 90_000);
  afterAll(() => p.cleanup());

  it('finishes and locks the runs under way, starts no other, says so, and exits 1 (incomplete)', () => {
    expect(stopped.signal).toBeNull();
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toContain('stopping: no further run starts; the runs under way finish and lock (Ctrl-C again to stop at once)');
    expect(stopped.stdout).toContain('stopped on request (Ctrl-C or SIGTERM): no further run was started, and the runs already under way were let finish');
    expect(stopped.stdout).toMatch(/^completeness gate: INCOMPLETE, \d+ of \d+ slots not locked/m);
    expect(executedButUnlocked).toEqual([]);
    expect(lockedAtSignal).toBeLessThan(SLOTS);
  });

  it('the next run finishes the set; only attempts pinned ahead and never executed are abandoned, registered as stopped', async () => {
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`completeness gate: ${SLOTS}/${SLOTS} slots locked`);
    await expectEachSlotLockedOnce(p);
    for (const e of ofType(await registry(p), 'abandoned')) {
      expect(existsSync(path.join(runSetDir(p), e.data.runId, 'agent.log')), e.data.runId).toBe(false);
      expect(e.data.reason).toBe('stopped on request (Ctrl-C or SIGTERM) before it ran');
    }
    await expectVerifies(p);
  });
});

describe('run stopped by Ctrl-C, then SIGTERM', () => {
  it('stops at once on the second signal, whichever kind it is', async () => {
    const p = await smallProject({ latencyMs: 150 });
    try {
      const child = startCli(p, ['run', EXAMPLE, '-j', '2']);
      await waitFor('a locked run', async () => {
        if (child.exited()) throw new Error(`run ended before it could be interrupted:\n${(await child.done).stderr}`);
        return existsSync(path.join(runSetDir(p), 'registry.jsonl')) && ofType(await registry(p), 'locked').length >= 1;
      });
      process.kill(child.pid, 'SIGINT');
      await new Promise((r) => setTimeout(r, 100));
      process.kill(child.pid, 'SIGTERM');
      const ended = await child.done;
      expect(ended.signal).toBe('SIGTERM');
    } finally {
      await p.cleanup();
    }
  }, 90_000);
});
