import { describe, expect, it } from 'vitest';
import type { FreezeRecord } from '../core/types/index.js';
import { inputChanges } from './freeze-record.js';

// A freeze record reduced to what inputChanges compares, with one task whose fixture is `files`
// in the folder `workspace`.
const record = (workspace: string, files: Record<string, string>): FreezeRecord => ({
  inputs: {
    config: { path: 'experiment.yaml', digest: { sha256: 'c' } },
    preregistration: { path: 'preregistration.yaml', digest: { sha256: 'p' } },
    variants: [],
    tasks: [{ id: 'T-1', specPath: 'tasks/T-1/task.yaml', specDigest: { sha256: 's' }, workspacePath: `tasks/T-1/${workspace}`, workspaceDigest: { sha256: JSON.stringify(files) }, workspaceFiles: Object.entries(files).map(([path, sha256]) => ({ path, sha256 })) }],
  },
  schedule: { path: 'schedule.json', digest: { sha256: 'x' } },
}) as unknown as FreezeRecord;

describe('inputChanges', () => {
  it('names a fixture file gone where it was frozen, one added or changed where it is now', () => {
    const changes = inputChanges(record('workspace', { 'a.txt': '1', 'b.txt': '2' }), record('fixture', { 'b.txt': '3', 'c.txt': '4' }));
    expect(changes.map((c) => [c.file, c.frozen, c.now])).toEqual([
      ['tasks/T-1/workspace/a.txt', '1', '(absent)'],
      ['tasks/T-1/fixture/b.txt', '2', '3'],
      ['tasks/T-1/fixture/c.txt', '(absent)', '4'],
    ]);
  });
});
