import { describe, expect, it } from 'vitest';
import type { Preregistration, RegistryEntry } from '../core/types/index.js';
import type { FrozenSet } from '../pipeline/frozen-set.js';
import { failedAttemptReason } from '../pipeline/slot-state.js';
import { buildDataset } from './dataset.js';

// No pair scheduled: only the counts of attempts given up are looked at.
const frozen = { runsDir: '/nowhere', schedule: { slots: [] } } as unknown as FrozenSet;
const prereg = { hypotheses: [{ treatment: 'role-centric', control: 'goal-centric' }] } as unknown as Preregistration;
const abandoned = (runId: string, reason: string) => ({ type: 'abandoned', data: { runId, pairId: 'p1', variant: 'role-centric', reason } }) as unknown as RegistryEntry;

describe('buildDataset', () => {
  it('counts attempts given up for an infrastructure failure apart from those cut off (Ctrl-C, a crash)', async () => {
    const entries = [
      abandoned('failed-1', failedAttemptReason('on the last allowed attempt (3): HTTP 529')),
      abandoned('failed-2', failedAttemptReason('on the last allowed attempt (3): connection reset')),
      abandoned('stopped', 'stopped on request (Ctrl-C) before it ran'),
      { type: 'retried', data: { runId: 'retried', pairId: 'p1', variant: 'goal-centric' } } as unknown as RegistryEntry,
    ];
    const data = await buildDataset(frozen, prereg, entries);
    expect(data).toMatchObject({ infrastructureFailures: 3, interrupted: 1, pairsPlanned: 0, pairs: [], incomplete: [] });
    expect(await buildDataset(frozen, prereg, entries.slice(1, 3))).toMatchObject({ infrastructureFailures: 1, interrupted: 1 });
  });
});
