import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from '../core/types/index.js';
import { currentRuns, slotKey } from './current-runs.js';

// The run standing for each slot: what analysis uses. Ad hoc runs and superseded ones never stand.

const locked = (runId: string, attempt: number, adhoc = false) =>
  ({ type: 'locked', data: { runId, pairId: 'pair-0001', variant: 'goal', attempt, adhoc } }) as unknown as RegistryEntry;
const superseded = (runId: string) => ({ type: 'superseded', data: { runId } }) as unknown as RegistryEntry;

describe('currentRuns', () => {
  it('takes the latest attempt that is neither ad hoc nor superseded', () => {
    const key = slotKey('pair-0001', 'goal');
    expect(currentRuns([locked('a1', 1), locked('a2', 2)]).get(key)?.data.runId).toBe('a2');
    expect(currentRuns([locked('a1', 1), locked('a2', 2), superseded('a2')]).get(key)?.data.runId).toBe('a1');
    // An ad hoc run pinned with the slot's --pair-id (and perhaps another seed) never stands for it.
    expect(currentRuns([locked('a1', 1), locked('adhoc', 1, true)]).get(key)?.data.runId).toBe('a1');
    expect(currentRuns([locked('adhoc', 5, true)]).has(key)).toBe(false);
  });
});
