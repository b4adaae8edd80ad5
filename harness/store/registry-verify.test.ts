import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../test-support/temp-dir.js';
import { appendEntry } from './registry.js';
import { verifyRegistryChain } from './registry-verify.js';

let file: string;
tempDirPerTest('harness-registry-verify-', (d) => {
  file = path.join(d, 'registry.jsonl');
});

const deviation = (reason: string) => ({ kind: 'other' as const, who: 'test', reason });

describe('verifyRegistryChain', () => {
  it('reports a registry whose first entry is not the freeze, though its chain is intact (a chain rebuilt without its genesis)', async () => {
    for (const reason of ['one', 'two']) await appendEntry(file, 'exp-1', 'deviation', deviation(reason));
    const { entries, problems, cutOff } = await verifyRegistryChain(file);
    expect(entries.map((e) => [e.seq, e.type])).toEqual([[0, 'deviation'], [1, 'deviation']]);
    expect(cutOff).toBeUndefined();
    expect(problems).toEqual([{ file, line: 1, message: 'the first entry is not the freeze (genesis) entry' }]);
  });

  it('reports an emptied registry: a run set\'s registry always holds its freeze entry', async () => {
    await fs.writeFile(file, '');
    const { entries, problems } = await verifyRegistryChain(file);
    expect(entries).toEqual([]);
    expect(problems).toEqual([{ file, message: "empty: a run set's registry starts with its freeze (genesis) entry, and this one has no entry (emptied or truncated)" }]);
  });
});
