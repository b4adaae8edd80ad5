import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAIM_STALE_MS, openClaims } from './claims.js';

// Two SlotClaims in one process stand for two `run` processes: each has its own owner lock.

const RELEASED = '0'.repeat(16);
let runsDir: string;
const claimsDir = (): string => path.join(runsDir, '.claims');
const claimOf = (slot: string): Promise<string> => fs.readFile(path.join(claimsDir(), slot), 'utf8');
const ownerLocks = async (): Promise<string[]> => (await fs.readdir(claimsDir())).filter((e) => e.startsWith('owner-')).sort();

async function backdate(file: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await fs.utimes(file, then, then);
}

beforeEach(async () => {
  runsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'harness-claims-'));
});
afterEach(async () => {
  await fs.rm(runsDir, { recursive: true, force: true });
});

describe('slot claims', () => {
  it('waiting for a held claim ends when stopped, without the claim', async () => {
    const a = await openClaims(runsDir);
    const b = await openClaims(runsDir);
    const release = await a.tryClaim('pair-0001-T-v');
    const stop = new AbortController();
    const started = Date.now();
    const waiting = b.tryClaim('pair-0001-T-v', 10_000, stop.signal);
    setTimeout(() => stop.abort(), 300);
    expect(await waiting).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    await release!();
    await Promise.all([a.close(), b.close()]);
  });

  it('a held claim is refused to another owner until it is let go; the claim file keeps the holder id, then zeros', async () => {
    const a = await openClaims(runsDir);
    const b = await openClaims(runsDir);
    const release = await a.tryClaim('pair-0001-T-v');
    expect(release).toBeDefined();
    const holder = await claimOf('pair-0001-T-v');
    expect(holder).toMatch(/^[0-9a-f]{16}$/);
    expect(await ownerLocks()).toContain(`owner-${holder}.lock`);
    expect(await b.tryClaim('pair-0001-T-v')).toBeUndefined();
    expect(await a.tryClaim('pair-0001-T-v')).toBeUndefined();
    await release!();
    expect(await claimOf('pair-0001-T-v')).toBe(RELEASED);
    const second = await b.tryClaim('pair-0001-T-v');
    expect(second).toBeDefined();
    expect(await claimOf('pair-0001-T-v')).not.toBe(holder);
    await second!();
    await a.close();
    await b.close();
    expect(await ownerLocks()).toEqual([]);
  });

  it('claiming and letting go never deletes a file: one claim file per slot, no lock folder per slot', async () => {
    const a = await openClaims(runsDir);
    for (const slot of ['s1', 's2', 's3']) await (await a.tryClaim(slot))!();
    for (const slot of ['s1', 's2', 's3']) await (await a.tryClaim(slot))!();
    const inodes = await Promise.all(['s1', 's2', 's3'].map(async (s) => (await fs.stat(path.join(claimsDir(), s))).ino));
    await (await a.tryClaim('s1'))!();
    expect((await fs.stat(path.join(claimsDir(), 's1'))).ino).toBe(inodes[0]);
    await a.close();
    expect((await fs.readdir(claimsDir())).sort()).toEqual(['s1', 's2', 's3']);
  });

  it('the claim of an owner that is gone (its lock stale or removed) is taken over; close clears the dead owner lock', async () => {
    const dead = 'dead00000000beef';
    await fs.mkdir(claimsDir(), { recursive: true });
    await fs.writeFile(path.join(claimsDir(), 'stale'), dead);
    await fs.mkdir(path.join(claimsDir(), `owner-${dead}.lock`));
    await backdate(path.join(claimsDir(), `owner-${dead}.lock`), CLAIM_STALE_MS * 2);
    await fs.writeFile(path.join(claimsDir(), 'gone'), 'beef00000000dead');
    const a = await openClaims(runsDir);
    const stale = await a.tryClaim('stale');
    const gone = await a.tryClaim('gone');
    expect(stale).toBeDefined();
    expect(gone).toBeDefined();
    expect(await claimOf('stale')).not.toBe(dead);
    await stale!();
    await gone!();
    await a.close();
    expect(await ownerLocks()).toEqual([]);
  });

  it('a claim whose owner stopped refreshing its lock (killed moments ago) is still held, but is told apart from a live one', async () => {
    const killed = 'dead0000000feed0';
    await fs.mkdir(claimsDir(), { recursive: true });
    await fs.writeFile(path.join(claimsDir(), 'slot-k'), killed);
    await fs.mkdir(path.join(claimsDir(), `owner-${killed}.lock`));
    // Not refreshed for 3 s: more than two refreshes missed, not yet stale.
    await backdate(path.join(claimsDir(), `owner-${killed}.lock`), 3_000);
    const live = await openClaims(runsDir);
    const held = await live.tryClaim('slot-l');
    const b = await openClaims(runsDir);
    expect(await b.tryClaim('slot-k')).toBeUndefined();
    expect(await b.heldByStalledOwner('slot-k')).toBe(true);
    expect(await b.heldByStalledOwner('slot-l')).toBe(false);
    expect(await b.heldByStalledOwner('no-such-slot')).toBe(false);
    // Waited for, it is taken once the stale time has passed.
    const started = Date.now();
    const taken = await b.tryClaim('slot-k', CLAIM_STALE_MS * 3);
    expect(taken).toBeDefined();
    expect(Date.now() - started).toBeLessThan(CLAIM_STALE_MS);
    await held!();
    expect(await b.heldByStalledOwner('slot-l')).toBe(false);
    await taken!();
    await Promise.all([live.close(), b.close()]);
  });

  it('waiting while the owner looks stalled ends as soon as it refreshes its lock again: it was only slow', async () => {
    const slow = 'feed0000000dead0';
    await fs.mkdir(path.join(claimsDir(), `owner-${slow}.lock`), { recursive: true });
    await fs.writeFile(path.join(claimsDir(), 'slot-s'), slow);
    await backdate(path.join(claimsDir(), `owner-${slow}.lock`), 3_000);
    const b = await openClaims(runsDir);
    setTimeout(() => void backdate(path.join(claimsDir(), `owner-${slow}.lock`), 0), 300);
    const started = Date.now();
    expect(await b.tryClaim('slot-s', CLAIM_STALE_MS * 3, undefined, { whileStalled: true })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
    await b.close();
  });

  it('a live owner keeps its claim while it refreshes its lock: another owner waiting for it gives up after waitMs', async () => {
    const a = await openClaims(runsDir);
    const b = await openClaims(runsDir);
    const held = await a.tryClaim('busy');
    const started = Date.now();
    expect(await b.tryClaim('busy', 600)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    setTimeout(() => void held!(), 300);
    expect(await b.tryClaim('busy', 2_000)).toBeDefined();
    await a.close();
    await b.close();
  });

  it('an empty claim file is one being written: held while fresh, void once older than the stale time', async () => {
    await fs.mkdir(claimsDir(), { recursive: true });
    const file = path.join(claimsDir(), 'empty');
    await fs.writeFile(file, '');
    const a = await openClaims(runsDir);
    expect(await a.tryClaim('empty')).toBeUndefined();
    await backdate(file, CLAIM_STALE_MS * 2);
    const release = await a.tryClaim('empty');
    expect(release).toBeDefined();
    await release!();
    await a.close();
    expect(existsSync(path.join(claimsDir(), 'empty.lock'))).toBe(false);
  });
});
