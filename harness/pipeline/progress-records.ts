import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ofType } from '../core/entries.js';
import type { RegistryEntry, Schedule } from '../core/types/index.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { currentRuns, slotKey } from './current-runs.js';

// progress.csv (seed 002): one row per pair with the run standing for each variant, the pair's
// status and when it completed. Derived from the registry; rewritten whole, atomically.
function progressCsv(schedule: Schedule, entries: readonly RegistryEntry[]): string {
  const current = currentRuns(entries);
  const pinned = new Set(ofType(entries, 'pinned').map((e) => slotKey(e.data.pairId, e.data.variant)));
  const header = ['task_id', 'pair_id', ...schedule.variants.map((v) => `run_id_${v}`), 'status', 'completed_at'];
  const pairs = new Map<string, { task: string; pairId: string }>();
  for (const s of schedule.slots) pairs.set(s.pairId, { task: s.task, pairId: s.pairId });
  const rows = [...pairs.values()].map(({ task, pairId }) => {
    const runs = schedule.variants.map((v) => current.get(slotKey(pairId, v)));
    const complete = runs.every((r) => r !== undefined);
    const started = schedule.variants.some((v) => pinned.has(slotKey(pairId, v)));
    const completedAt = complete ? runs.map((r) => r!.at).sort().at(-1)! : '';
    return [task, pairId, ...runs.map((r) => r?.data.runId ?? ''), complete ? 'complete' : started ? 'in-progress' : 'pending', completedAt];
  });
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}

// Left alone when it already says this, so a run with nothing to do changes no file.
export async function writeProgressCsv(runsDir: string, schedule: Schedule, entries: readonly RegistryEntry[]): Promise<void> {
  const file = path.join(runsDir, 'progress.csv');
  const text = progressCsv(schedule, entries);
  if ((await fs.readFile(file, 'utf8').catch(() => undefined)) === text) return;
  await writeFileAtomic(file, text);
}
