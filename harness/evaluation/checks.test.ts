import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../core/types/index.js';
import { listTree } from '../store/file-tree.js';
import { runCheck, type CheckContext } from './checks.js';
import type { TraceSummary } from './trace-summary.js';

// The verdict of each check kind that decides success on its own data, both ways: a check that
// always passed (or never did) would change every scorecard without a word.

let outputs: string;
beforeAll(async () => {
  outputs = await fs.mkdtemp(path.join(tmpdir(), 'harness-checks-'));
  await fs.mkdir(path.join(outputs, 'data'));
  await fs.writeFile(path.join(outputs, 'data', 'x.csv'), 'a,b\n');
  await fs.writeFile(path.join(outputs, 'greeting.txt'), '  Hello\n');
});
afterAll(() => fs.rm(outputs, { recursive: true, force: true }));

const trace = (over: Partial<TraceSummary> = {}): TraceSummary => ({
  stopReason: 'end_turn', turns: 3, toolCalls: 2, toolErrors: 0, clarifications: 0, retries: 0,
  usage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 }, wallTimeSeconds: 1, model: null, violations: [],
  succeeded: new Map([['write_file', 2]]), recoveredFromErrors: null, infrastructureError: null, ...over,
});
const ctx = async (over: Partial<TraceSummary> = {}): Promise<CheckContext> => {
  const listing = await listTree(outputs);
  return { outputs, files: listing.files, odd: [], fixture: [], trace: trace(over), sandbox: 'none' };
};
const verdict = async (check: Check, over: Partial<TraceSummary> = {}) => {
  const r = await runCheck(check, await ctx(over));
  return [r.passed, r.reason];
};

describe('runCheck verdicts', () => {
  it('clarification_asked: fails with none asked, passes with one', async () => {
    const check = { id: 'ask', kind: 'clarification_asked' } as Check;
    expect(await verdict(check)).toEqual([false, 'no clarifying question was asked']);
    expect(await verdict(check, { clarifications: 1 })).toEqual([true, 'asked 1 clarifying question(s)']);
  });

  it('file_absent: fails when the file exists, passes when it does not', async () => {
    expect(await verdict({ id: 'no', kind: 'file_absent', path: 'data/x.csv' } as Check)).toEqual([false, 'data/x.csv exists but must not']);
    expect(await verdict({ id: 'no', kind: 'file_absent', path: 'data/y.csv' } as Check)).toEqual([true, 'data/y.csv is absent']);
  });

  it('file_equals with ignoreTrailingWhitespace ignores only trailing whitespace, never leading', async () => {
    const eq = (content: string) => ({ id: 'eq', kind: 'file_equals', path: 'greeting.txt', content, ignoreTrailingWhitespace: true }) as Check;
    expect((await verdict(eq('  Hello')))[0]).toBe(true);
    expect((await verdict(eq('Hello\n')))[0]).toBe(false);
  });

  it('tool_used: counts successful calls against minCalls', async () => {
    expect(await verdict({ id: 't', kind: 'tool_used', tool: 'write_file', minCalls: 2 } as Check)).toEqual([true, 'write_file succeeded 2 time(s), at least 2 required']);
    expect(await verdict({ id: 't', kind: 'tool_used', tool: 'write_file', minCalls: 3 } as Check)).toEqual([false, 'write_file succeeded 2 time(s), at least 3 required']);
    expect((await verdict({ id: 't', kind: 'tool_used', tool: 'read_file' } as Check))[0]).toBe(false);
  });
});
