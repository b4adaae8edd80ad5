import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../test-support/temp-dir.js';
import { appendEntry } from '../store/registry.js';
import { SlotHistory } from './slot-history.js';

// SlotHistory follows the registry as other processes append to it: what they registered since
// `run` started counts, so no attempt is given up or locked twice.

let registry: string;
tempDirPerTest('harness-slot-history-', (d) => {
  registry = path.join(d, 'registry.jsonl');
});

const slot = { slotIndex: 3, pairId: 'pair-0002', task: 'TASK-001', variant: 'goal-centric' };
const digest = { sha256: '0'.repeat(64) };
const pin = (runId: string) => appendEntry(registry, 'exp', 'pinned', { ...slot, runId, attempt: 1, manifestDigest: digest, adhoc: false });

describe('SlotHistory', () => {
  it('counts an attempt another process gave up after this one started as accounted for', async () => {
    await pin('x-a1');
    await pin('y-a1');
    await appendEntry(registry, 'exp', 'abandoned', { ...slot, runId: 'y-a1', reason: 'cut off' });
    const history = await SlotHistory.read(registry);
    expect(history.isAccountedFor('x-a1')).toBe(false);
    expect(history.isAccountedFor('y-a1')).toBe(true);
    // Another `run`, stopped by Ctrl-C, registers the attempt it pinned and never started.
    await appendEntry(registry, 'exp', 'abandoned', { ...slot, runId: 'x-a1', reason: 'stopped on request (Ctrl-C) before it ran' });
    expect(history.isAccountedFor('x-a1')).toBe(true);
  });

  it('counts an attempt retried elsewhere, and one locked elsewhere, as accounted for', async () => {
    await pin('x-a1');
    await pin('z-a1');
    const history = await SlotHistory.read(registry);
    await appendEntry(registry, 'exp', 'retried', { ...slot, runId: 'x-a1', cause: 'HTTP 529', nextAttempt: 2 });
    await appendEntry(registry, 'exp', 'locked', {
      ...slot, runId: 'z-a1', attempt: 1, rootDigest: digest, lockDigest: digest, manifestDigest: digest, scorecardDigest: digest, success: true, stopReason: 'end_turn', adhoc: false,
    });
    expect(history.isAccountedFor('x-a1')).toBe(true);
    expect(history.isAccountedFor('z-a1')).toBe(true);
    expect(history.registeredLock('z-a1')?.data.success).toBe(true);
  });
});
