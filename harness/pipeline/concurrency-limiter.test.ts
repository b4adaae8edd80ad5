import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter, type Job } from './concurrency-limiter.js';

// A log of what happened, in order: `prep i` when item i is prepared, `start i` / `end i` around its
// job, `cancel i` when a prepared job never started.
function recorder(opts: { jobMs?: number; failPrepareAt?: number; failJobAt?: number } = {}) {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const prepare = async (i: number): Promise<Job | undefined> => {
    await sleep(1);
    if (i === opts.failPrepareAt) throw new Error(`prepare ${i} failed`);
    log.push(`prep ${i}`);
    if (i % 5 === 4) return undefined;
    return {
      start: async () => {
        log.push(`start ${i}`);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(opts.jobMs ?? 5);
        running--;
        log.push(`end ${i}`);
        if (i === opts.failJobAt) throw new Error(`job ${i} failed`);
      },
      cancel: async () => {
        log.push(`cancel ${i}`);
      },
    };
  };
  return { log, prepare, maxRunning: () => maxRunning };
}

const items = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const indexOf = (log: string[], e: string): number => log.indexOf(e);

describe('ConcurrencyLimiter.forEach', () => {
  it('prepares items one at a time in order, starts jobs in order, never more than the limit at once', async () => {
    const r = recorder();
    await new ConcurrencyLimiter(3).forEach(items(20), 4, r.prepare);
    const preps = r.log.filter((e) => e.startsWith('prep')).map((e) => Number(e.split(' ')[1]));
    const starts = r.log.filter((e) => e.startsWith('start')).map((e) => Number(e.split(' ')[1]));
    expect(preps).toEqual(items(20));
    expect(starts).toEqual(items(20).filter((i) => i % 5 !== 4));
    expect(r.log.filter((e) => e.startsWith('end'))).toHaveLength(16);
    expect(r.maxRunning()).toBe(3);
  });

  it('works at most `ahead` items ahead of the one waiting for a place', async () => {
    const r = recorder({ jobMs: 30 });
    await new ConcurrencyLimiter(1).forEach(items(12), 2, r.prepare);
    // While job 0 runs (one place), items 1..3 are prepared (two ahead of the waiting item 1), not 4.
    expect(indexOf(r.log, 'prep 3')).toBeLessThan(indexOf(r.log, 'end 0'));
    expect(indexOf(r.log, 'prep 4')).toBeGreaterThan(indexOf(r.log, 'end 0'));
  });

  it('after a failed preparation nothing further is prepared, prepared jobs are cancelled, started ones finish, and the error is thrown', async () => {
    const r = recorder({ jobMs: 20, failPrepareAt: 6 });
    await expect(new ConcurrencyLimiter(2).forEach(items(20), 3, r.prepare)).rejects.toThrow('prepare 6 failed');
    expect(r.log).not.toContain('prep 7');
    const started = r.log.filter((e) => e.startsWith('start')).map((e) => e.slice('start '.length));
    const cancelled = r.log.filter((e) => e.startsWith('cancel')).map((e) => e.slice('cancel '.length));
    for (const i of started) expect(r.log).toContain(`end ${i}`);
    expect(cancelled.length).toBeGreaterThan(0);
    // Every prepared job either started or was cancelled, never both.
    const jobs = r.log.filter((e) => e.startsWith('prep')).map((e) => e.slice('prep '.length)).filter((i) => Number(i) % 5 !== 4);
    expect([...started, ...cancelled].sort()).toEqual(jobs.sort());
  });

  it('once stopped, nothing further is prepared or started, prepared jobs are cancelled, started ones finish, and it resolves', async () => {
    const r = recorder({ jobMs: 30 });
    const stop = new AbortController();
    const done = new ConcurrencyLimiter(2).forEach(items(20), 3, r.prepare, stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 45));
    stop.abort();
    const startedAtStop = r.log.filter((e) => e.startsWith('start')).length;
    await done;
    const started = r.log.filter((e) => e.startsWith('start')).map((e) => e.slice('start '.length));
    expect(started).toHaveLength(startedAtStop);
    expect(started.length).toBeGreaterThan(0);
    for (const i of started) expect(r.log).toContain(`end ${i}`);
    expect(r.log.filter((e) => e.startsWith('cancel')).length).toBeGreaterThan(0);
    expect(r.log).not.toContain('prep 19');
  });

  it('a failed job stops further starts; jobs prepared meanwhile are cancelled and the first error is thrown', async () => {
    const r = recorder({ jobMs: 10, failJobAt: 0 });
    await expect(new ConcurrencyLimiter(1).forEach(items(10), 2, r.prepare)).rejects.toThrow('job 0 failed');
    expect(r.log.filter((e) => e.startsWith('start'))).toEqual(['start 0']);
    expect(r.log.filter((e) => e.startsWith('cancel')).length).toBeGreaterThan(0);
  });
});
