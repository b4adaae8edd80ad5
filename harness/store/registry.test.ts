import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../test-support/temp-dir.js';
import { HarnessError } from '../core/errors.js';
import { packageRoot } from '../documents/package-root.js';
import type { RegistryEntry } from '../core/types/index.js';
import { appendEntries, appendEntriesLocked, appendEntry, entryDigest, healRecordFiles } from './registry.js';
import { cutOffAt, lastEntry, readAndFollow, readEntries, registryFollower } from './registry-read.js';

const DIST_REGISTRY = path.join(packageRoot, 'dist/store/registry.js');

let dir: string;
let file: string;
tempDirPerTest('harness-registry-', (d) => {
  dir = d;
  file = path.join(d, 'registry.jsonl');
});

const deviation = (reason: string) => ({ kind: 'other' as const, who: 'test', reason });

// The chain every reader relies on: dense seqs from 0, each prev the digest before it, and each
// digest the canonical digest of the entry's body.
function expectIntactChain(entries: RegistryEntry[]): void {
  expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
  entries.forEach((e, i) => {
    expect(e.prev).toEqual(i === 0 ? null : entries[i - 1]!.digest);
    expect(entryDigest(e)).toEqual(e.digest);
  });
}

describe('appendEntry', () => {
  it('chains N entries: seq 0..N-1, prev = previous digest, digest = entryDigest', async () => {
    const written: RegistryEntry[] = [];
    for (let i = 0; i < 6; i++) written.push(await appendEntry(file, 'exp-1', 'deviation', deviation(`r${i}`)));
    const read = await readEntries(file);
    expect(read).toEqual(written);
    expectIntactChain(read);
    expect(lastEntry(file)).toEqual(written[5]);
    expect((await fs.readFile(file, 'utf8')).split('\n')).toHaveLength(7);
  });

  it('digests the canonical body (checked against a hash of literal text)', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const [e] = await appendEntriesLocked(file, [{ experiment: 'exp-1', type: 'deviation', data: { kind: 'other', who: 'w', reason: 'r' }, at }]);
    const body = '{"at":"2026-01-02T03:04:05.000Z","data":{"kind":"other","reason":"r","who":"w"},' +
      '"experiment":"exp-1","prev":null,"schemaVersion":1,"seq":0,"type":"deviation"}';
    expect(e!.digest).toEqual({ sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('finds the last entry when its line is longer than the 16 KiB tail chunk', async () => {
    await appendEntry(file, 'exp-1', 'deviation', deviation('short'));
    // Multi-byte characters so a chunk boundary can fall inside a UTF-8 sequence.
    const big = `${'\u00e9\u65e5x'.repeat(12_000)}end`;
    const bigEntry = await appendEntry(file, 'exp-1', 'deviation', deviation(big));
    expect(Buffer.byteLength(JSON.stringify(bigEntry))).toBeGreaterThan(2 * 16 * 1024);
    const last = lastEntry(file);
    expect(last).toEqual(bigEntry);
    const next = await appendEntry(file, 'exp-1', 'deviation', deviation('after'));
    expect(next.seq).toBe(2);
    expect(next.prev).toEqual(bigEntry.digest);
    expectIntactChain(await readEntries(file));
  });

  it('finds a long genesis entry that is the only line', async () => {
    const only = await appendEntry(file, 'exp-1', 'deviation', deviation('y'.repeat(40_000)));
    expect(lastEntry(file)).toEqual(only);
  });

  it('refuses a registry whose last line lacks its newline, naming the file, and writes nothing', async () => {
    await appendEntry(file, 'exp-1', 'deviation', deviation('ok'));
    await fs.appendFile(file, '{"schemaVersion":1,"seq":1,"at":"2026-');
    const before = await fs.readFile(file);
    for (let attempt = 0; attempt < 2; attempt++) {
      // Twice: the first failure must release the lock, or the second would time out instead.
      const err: unknown = await appendEntry(file, 'exp-1', 'deviation', deviation('x')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).kind).toBe('input');
      expect((err as HarnessError).message).toBe(`${file}: the last line is incomplete: an append was cut off (power loss or a full disk?)`);
      expect((err as HarnessError).hint).toContain(`truncate -s ${before.length - '{"schemaVersion":1,"seq":1,"at":"2026-'.length} ${file}`);
    }
    await expect(readEntries(file)).rejects.toMatchObject({ hint: expect.stringContaining(`truncate -s ${before.length - 38} ${file}`) });
    expect((await fs.readFile(file)).equals(before)).toBe(true);
    expect(existsSync(`${file}.lock`)).toBe(false);
    // Doing what the hint says restores the registry as it was before the cut-off append.
    await fs.truncate(file, before.length - 38);
    await appendEntry(file, 'exp-1', 'deviation', deviation('after'));
    expectIntactChain(await readEntries(file));
  });

  it('gives the size to cut a torn registry to in bytes, not characters, when earlier lines hold non-ASCII text', async () => {
    await appendEntry(file, 'exp-1', 'deviation', deviation('r\u00e9sum\u00e9 \u65e5\u672c \u2026'));
    const complete = (await fs.readFile(file)).length;
    const text = await fs.readFile(file, 'utf8');
    expect(text.length).toBeLessThan(complete);
    await fs.appendFile(file, '{"schemaVersion":1,"seq":1,"at":"2026-');
    expect(cutOffAt(await fs.readFile(file, 'utf8'))).toBe(complete);
    expect(cutOffAt(text)).toBeUndefined();
    await expect(readEntries(file)).rejects.toMatchObject({ hint: expect.stringContaining(`truncate -s ${complete} ${file})`) });
    // Doing what the hint says leaves the whole first entry.
    await fs.truncate(file, complete);
    expect(await readEntries(file)).toHaveLength(1);
  });

  it('refuses to chain onto a last line that is JSON but not a registry entry, and writes nothing', async () => {
    await appendEntry(file, 'exp-1', 'deviation', deviation('ok'));
    await fs.appendFile(file, '{}\n');
    const before = await fs.readFile(file);
    await expect(appendEntry(file, 'exp-1', 'deviation', deviation('x'))).rejects.toMatchObject({ kind: 'input', message: `${file}: the last line is not a registry entry` });
    expect((await fs.readFile(file)).equals(before)).toBe(true);
  });

  it('keeps the chain intact under 20 concurrent appends in one process', async () => {
    const written = await Promise.all(Array.from({ length: 20 }, (_, i) => appendEntry(file, 'exp-1', 'deviation', deviation(`p${i}`))));
    expect(new Set(written.map((e) => e.seq)).size).toBe(20);
    const read = await readEntries(file);
    expect(read).toHaveLength(20);
    expectIntactChain(read);
    const reasonOf = (e: RegistryEntry): string => (e.type === 'deviation' ? e.data.reason : '');
    expect(new Set(read.map(reasonOf))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `p${i}`)));
  });
});

describe('appendEntries', () => {
  it('writes entries given together in one batch: adjacent and at one moment, even behind an append in flight', async () => {
    const inFlight = appendEntry(file, 'exp-1', 'deviation', deviation('first'));
    const [a, b] = await appendEntries(file, 'exp-1', [{ type: 'deviation', data: deviation('lock') }, { type: 'deviation', data: deviation('its violation') }]);
    await inFlight;
    expect(b!.seq).toBe(a!.seq + 1);
    expect(b!.at).toBe(a!.at);
    expectIntactChain(await readEntries(file));
  });
});

describe('registryFollower', () => {
  it('returns each entry once, as appended, leaving a line still being written for the next call', async () => {
    const follow = registryFollower(file);
    expect(follow()).toEqual([]);
    const first = await appendEntry(file, 'exp-1', 'deviation', deviation('one'));
    const second = await appendEntry(file, 'exp-1', 'deviation', deviation('two'));
    expect(follow()).toEqual([first, second]);
    expect(follow()).toEqual([]);
    const third = await appendEntry(file, 'exp-1', 'deviation', deviation('three \u00e9'));
    const text = await fs.readFile(file);
    // The third line arrives in two writes, the cut inside its UTF-8 'é'.
    const cut = text.lastIndexOf(0xc3) + 1;
    await fs.writeFile(file, text.subarray(0, cut));
    expect(follow()).toEqual([]);
    await fs.writeFile(file, text);
    expect(follow()).toEqual([third]);
  });

  it('readAndFollow: every entry so far, then a follower that returns only the entries appended after them (offsets in bytes, not characters)', async () => {
    const first = await appendEntry(file, 'exp-1', 'deviation', deviation('one … é'));
    const { entries, follow } = await readAndFollow(file);
    expect(entries).toEqual([first]);
    expect(follow()).toEqual([]);
    const second = await appendEntry(file, 'exp-1', 'deviation', deviation('two'));
    expect(follow()).toEqual([second]);
  });

  it('names the line of an entry that is not JSON, counting the lines read before', async () => {
    const follow = registryFollower(file);
    await appendEntry(file, 'exp-1', 'deviation', deviation('one'));
    follow();
    await fs.appendFile(file, 'not json\n');
    expect(() => follow()).toThrow(`${file}:2: not a JSON registry entry`);
  });
});

describe('appendEntry across processes', () => {
  beforeAll(() => {
    // Child processes import the compiled module; build it when missing or older than the source.
    const newestSource = Math.max(...['registry.ts', 'registry-read.ts'].map((f) => statSync(path.join(packageRoot, 'harness/store', f)).mtimeMs));
    if (!existsSync(DIST_REGISTRY) || statSync(DIST_REGISTRY).mtimeMs < newestSource) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: packageRoot, stdio: 'pipe' });
      } catch (err) {
        // tsc still emits when some other file has a type error; only a missing module is fatal.
        if (!existsSync(DIST_REGISTRY)) throw err;
      }
    }
  }, 180_000);

  function child(label: string, count: number): Promise<void> {
    const script = `
      import { appendEntry } from ${JSON.stringify(DIST_REGISTRY)};
      const [file, label, count] = process.argv.slice(1);
      await Promise.all(Array.from({ length: Number(count) }, (_, i) =>
        appendEntry(file, 'exp-1', 'deviation', { kind: 'other', who: label, reason: label + '-' + i })));
    `;
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, ['--input-type=module', '-e', script, file, label, String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.on('error', reject);
      proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${label} exited ${code}: ${stderr}`))));
    });
  }

  it('keeps the chain intact with 3 child processes and this one appending at once', async () => {
    await Promise.all([
      child('c1', 20), child('c2', 20), child('c3', 20),
      ...Array.from({ length: 20 }, (_, i) => appendEntry(file, 'exp-1', 'deviation', { kind: 'other', who: 'parent', reason: `parent-${i}` })),
    ]);
    const read = await readEntries(file);
    expect(read).toHaveLength(80);
    expectIntactChain(read);
    const reasons = new Set(read.map((e) => (e.type === 'deviation' ? e.data.reason : '')));
    for (const who of ['c1', 'c2', 'c3', 'parent']) for (let i = 0; i < 20; i++) expect(reasons.has(`${who}-${i}`)).toBe(true);
  });
});

describe('record files (registry.csv, violations.log) after a crash', () => {
  const abandon = (n: number) => appendEntry(file, 'exp-1', 'abandoned', { runId: `run-${n}`, slotIndex: n, pairId: `pair-${n}`, task: 'TASK-001', variant: 'a', reason: 'test' });
  const violate = (n: number) => appendEntry(file, 'exp-1', 'violation', { runId: `run-${n}`, severity: 'critical', rule: 'escape', message: `left the workspace ${n}`, action: 'Refused', status: 'Needs review' });
  const csvRuns = async () => (await fs.readFile(path.join(dir, 'registry.csv'), 'utf8')).trimEnd().split('\n').slice(1).map((l) => l.split(',')[0]);
  const recordState = async () => Promise.all(['registry.csv', 'violations.log', '.records-through'].map((f) => fs.readFile(path.join(dir, f))));
  const restore = async (saved: Buffer[]) => Promise.all(['registry.csv', 'violations.log', '.records-through'].map((f, i) => fs.writeFile(path.join(dir, f), saved[i]!)));

  it('a process killed after writing entries but before their rows: the next append writes the missing rows too, in order', async () => {
    await abandon(1);
    await violate(1);
    const saved = await recordState();
    await abandon(2);
    await violate(2);
    await restore(saved); // what the kill left: entries 2 in the registry, not in the record files
    await abandon(3);
    expect(await csvRuns()).toEqual(['run-1', 'run-2', 'run-3']);
    expect((await fs.readFile(path.join(dir, 'violations.log'), 'utf8')).match(/left the workspace \d/g)).toEqual(['left the workspace 1', 'left the workspace 2']);
  });

  it('with no append after the crash, healRecordFiles writes them', async () => {
    await abandon(1);
    await violate(1);
    const saved = await recordState();
    await abandon(2);
    await restore(saved);
    await healRecordFiles(file);
    expect(await csvRuns()).toEqual(['run-1', 'run-2']);
    const mark = await fs.readFile(path.join(dir, '.records-through'), 'utf8');
    await healRecordFiles(file); // in step: nothing to do
    expect(await fs.readFile(path.join(dir, '.records-through'), 'utf8')).toBe(mark);
  });

  it('a record file edited by hand, or rows lost with the mark kept (power loss), is noticed by its size and written anew', async () => {
    await abandon(1);
    await abandon(2);
    const csv = path.join(dir, 'registry.csv');
    await fs.writeFile(csv, (await fs.readFile(csv, 'utf8')).replace(/^run-2,.*\n/m, ''));
    await abandon(3);
    expect(await csvRuns()).toEqual(['run-1', 'run-2', 'run-3']);
  });

  it('entries lost after their rows were written (power loss): the rows go too', async () => {
    await abandon(1);
    const registryBefore = await fs.readFile(file);
    await abandon(2);
    await fs.writeFile(file, registryBefore); // the registry lost entry 2; the record files still show it
    await abandon(3);
    expect(await csvRuns()).toEqual(['run-1', 'run-3']);
  });
});
