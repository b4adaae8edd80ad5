import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from '../pipeline/progress.js';
import { progressLine, progressTable, startProgressView } from './progress-view.js';

describe('Progress', () => {
  it('averages wall time over the runs finished here, not over slots that were already done', () => {
    const p = new Progress(['a', 'b']);
    for (let i = 0; i < 4; i++) p.addSlot('a');
    p.addSlot('b');
    p.alreadyDone('a', true);
    p.alreadyDone('a', true);
    p.finished('a', true, 2);
    p.finished('a', false, 4);
    const s = p.snapshot();
    expect(s.variants[0]).toEqual({ variant: 'a', total: 4, done: 4, succeeded: 3, failedChecks: 1, errors: 0, retries: 0, meanWallTimeSeconds: 3 });
    expect(s.variants[1]!.meanWallTimeSeconds).toBeNull();
    expect(s.total).toMatchObject({ total: 5, done: 4, meanWallTimeSeconds: 3 });
    expect(s.skipped).toBe(2);
    expect(s.etaSeconds).not.toBeNull();
    // The table's "avg time" is that mean; a variant with no run timed shows "-".
    const [, , rowA, rowB, total] = progressTable(s).split('\n');
    expect(rowA!.trim().split(/\s+/)).toEqual(['a', '4/4', '3', '1', '0', '0', '3.0s']);
    expect(rowB!.trim().split(/\s+/)).toEqual(['b', '0/1', '0', '0', '0', '0', '-']);
    expect(total!.trim().split(/\s+/)).toEqual(['total', '4/5', '3', '1', '0', '0', '3.0s']);
  });

  it('hides outcomes, by variant and pooled, until every slot is done, when blinding is pre-registered', () => {
    const p = new Progress(['a', 'b'], true);
    p.addSlot('a');
    p.addSlot('b');
    p.finished('a', true, 1);
    expect(p.snapshot()).toMatchObject({ blinded: true, variants: [{ succeeded: null, failedChecks: null }, { succeeded: null, failedChecks: null }], total: { done: 1, succeeded: null, failedChecks: null } });
    // Without timing (status), the table still says why the cells are blind.
    expect(progressTable(p.snapshot(), { timing: false }).split('\n').slice(-2)).toEqual(['(outcomes hidden until every slot is done, as pre-registered)', '']);
    expect(progressTable(p.snapshot()).split('\n').at(-2)).toMatch(/^elapsed \S+, ETA \S+ \(outcomes hidden until every slot is done, as pre-registered\)$/);
    p.finished('b', false, 1);
    expect(p.snapshot()).toMatchObject({ blinded: false, variants: [{ succeeded: 1, failedChecks: 0 }, { succeeded: 0, failedChecks: 1 }] });
    expect(progressTable(p.snapshot(), { timing: false }).split('\n').at(-2)).toMatch(/^total /);
  });

  it('keeps outcomes hidden while slots outside the selection are open', () => {
    const p = new Progress(['a', 'b'], true);
    p.addSlot('a');
    p.setOpenOutsideSelection(1);
    p.finished('a', true, 1);
    const s = p.snapshot();
    expect(s).toMatchObject({ blinded: true, variants: [{ succeeded: null, failedChecks: null }, { total: 0 }], total: { done: 1, succeeded: null, failedChecks: null } });
    expect(progressLine(s)).toMatch(/^1\/1 done, outcomes hidden, 0 errors, 0 retries, elapsed \S+\n$/);
    p.setOpenOutsideSelection(0);
    expect(p.snapshot()).toMatchObject({ blinded: false, total: { succeeded: 1 } });
  });
});

describe('startProgressView where stderr is not a terminal', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  const written = (watch: boolean): string[] => {
    vi.useFakeTimers();
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    const p = new Progress(['a']);
    p.addSlot('a');
    const view = startProgressView(() => p.snapshot(), { watch });
    vi.advanceTimersByTime(10_000);
    view.stop();
    return lines;
  };

  it('prints a one-line summary every 5 s, or with --watch the whole table', () => {
    const isTTY = process.stderr.isTTY;
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    try {
      const plain = written(false);
      expect(plain).toHaveLength(2);
      expect(plain[0]).toMatch(/^0\/1 done, 0 ok, 0 failed checks, 0 errors, 0 retries, elapsed /);
      const watched = written(true);
      expect(watched).toHaveLength(2);
      expect(watched[0]!.split('\n')[0]!.trim().split(/\s+/)[0]).toBe('variant');
      expect(watched[0]).toMatch(/^ *total +0\/1 /m);
    } finally {
      Object.defineProperty(process.stderr, 'isTTY', { value: isTTY, configurable: true });
    }
  });
});
