import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../core/types/index.js';
import { closedRunIds, failedAttemptReason, failedAttempts } from './slot-state.js';

const entry = (type: string, runId: string, extra: Record<string, unknown> = {}) => ({ type, data: { runId, ...extra } }) as unknown as RegistryEntry;

describe('closedRunIds', () => {
  it('holds the locked attempts and those given up (abandoned or retried), not one only pinned', () => {
    const entries = [
      entry('pinned', 'locked-a1'), entry('locked', 'locked-a1'),
      entry('pinned', 'abandoned-a1'), entry('abandoned', 'abandoned-a1', { reason: 'stopped on request (Ctrl-C) before it ran' }),
      entry('pinned', 'retried-a1'), entry('retried', 'retried-a1'),
      entry('pinned', 'open-a1'),
    ];
    expect([...closedRunIds(entries)].sort()).toEqual(['abandoned-a1', 'locked-a1', 'retried-a1']);
  });
});

describe('failedAttempts', () => {
  const abandoned = (runId: string, reason: string) => entry('abandoned', runId, { reason });

  it('counts each retried attempt and each given up for an infrastructure failure, in either form of the reason', () => {
    const entries = [
      abandoned('now', failedAttemptReason('on the last allowed attempt (3): HTTP 529')),
      // Registries written before the reason was shared put a comma after the prefix.
      abandoned('legacy', 'infrastructure failure, attempt 3 of 3: HTTP 529'),
      entry('retried', 'retried'),
      abandoned('stopped', 'stopped on request (Ctrl-C) before it ran'),
      abandoned('crashed', 'never locked: the process running it stopped before the run finished'),
      abandoned('lookalike', 'infrastructure failures are not this'),
    ];
    expect(failedAttempts(entries).map((e) => e.data.runId).sort()).toEqual(['legacy', 'now', 'retried']);
  });
});
