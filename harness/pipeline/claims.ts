import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, promises as fs, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { inputError } from '../core/errors.js';
import { slotName } from './slot-state.js';
import { lockLost } from '../store/lock-lost.js';

// A claim says which live process works on a slot: the file `.claims/<slot>` holds the id of its
// owner. Each `run` process holds one owner lock (proper-lockfile, refreshed while the process
// lives; released at its end, stale CLAIM_STALE_MS after a kill -9), and a claim whose owner lock
// is not held is void. A slot is claimed by creating its file exclusively (an atomic
// test-and-set); a void claim is taken over under the slot's own proper-lockfile lock; letting go
// overwrites the id in place. Claim files are never deleted: on ext4 without a journal every new
// file scans past the inodes deleted in the last minutes, so a folder created and removed per
// slot (what a proper-lockfile lock per slot costs) slowed down every file written after it.
export const CLAIM_STALE_MS = 5_000;
/** How often a live owner refreshes its owner lock (proper-lockfile's `update`). */
const OWNER_REFRESH_MS = CLAIM_STALE_MS / 5;

export type Release = () => Promise<void>;

export interface SlotClaims {
  /**
   * Takes the slot's claim, or returns undefined if a live process holds it for longer than `waitMs`
   * (or until `stop`; or, with `whileStalled`, as soon as its owner refreshes its lock again).
   */
  tryClaim(slotName: string, waitMs?: number, stop?: AbortSignal, options?: { whileStalled?: boolean }): Promise<Release | undefined>;
  /**
   * Whether the slot is claimed by an owner that has stopped refreshing its owner lock for more
   * than two refreshes: a process killed moments ago, whose claims turn void within CLAIM_STALE_MS.
   */
  heldByStalledOwner(slotName: string): Promise<boolean>;
  /** Gives up the owner lock (any claim still held becomes void) and clears the locks of dead owners. */
  close(): Promise<void>;
}

const ID_LENGTH = 16;
/** Written over the owner's id when it lets go: as long as an id, so claims are rewritten in place. */
const RELEASED = '0'.repeat(ID_LENGTH);
const OWNER_ID = /^[0-9a-f]{16}$/;
const OWNER_LOCK = /^owner-[0-9a-f]{16}\.lock$/;
const POLL_MS = 250;
const lockOptions = { realpath: false, stale: CLAIM_STALE_MS } as const;

export async function openClaims(runsDir: string): Promise<SlotClaims> {
  const dir = path.join(runsDir, '.claims');
  await fs.mkdir(dir, { recursive: true });
  const self = randomBytes(ID_LENGTH / 2).toString('hex');
  const ownerPath = (id: string): string => path.join(dir, `owner-${id}`);
  const releaseOwner = await lockfile.lock(ownerPath(self), {
    ...lockOptions, update: OWNER_REFRESH_MS, onCompromised: lockLost("this process's owner lock, which makes its slot claims valid", `${ownerPath(self)}.lock`),
  });

  // Held by a live owner (this process included), or being written by one: its file was created
  // within CLAIM_STALE_MS and has no id yet.
  const isHeld = async (fd: number): Promise<boolean> => {
    const buf = Buffer.alloc(ID_LENGTH);
    const id = buf.toString('utf8', 0, readSync(fd, buf, 0, ID_LENGTH, 0));
    if (id === '') return Date.now() - fstatSync(fd).mtimeMs < CLAIM_STALE_MS;
    if (id === RELEASED || !OWNER_ID.test(id)) return false;
    return id === self || (await lockfile.check(ownerPath(id), lockOptions));
  };

  const holding = (fd: number): Release => {
    let held = true;
    return async () => {
      if (!held) return;
      held = false;
      try {
        writeSync(fd, RELEASED, 0);
      } finally {
        closeSync(fd);
      }
    };
  };

  // A claim that exists but is void is taken under the slot's lock, so two processes never both take it.
  const takeOver = async (file: string, fd: number): Promise<boolean> => {
    if (await isHeld(fd)) return false;
    let unlock: () => Promise<void>;
    try {
      unlock = await lockfile.lock(file, { ...lockOptions, retries: 0 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return false;
      throw err;
    }
    try {
      if (await isHeld(fd)) return false;
      writeSync(fd, self, 0);
      return true;
    } finally {
      await unlock();
    }
  };

  const claimOnce = async (slotName: string): Promise<Release | undefined> => {
    const file = path.join(dir, slotName);
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      fd = openSync(file, 'r+');
      let taken = false;
      try {
        taken = await takeOver(file, fd);
      } finally {
        if (!taken) closeSync(fd);
      }
      return taken ? holding(fd) : undefined;
    }
    try {
      writeSync(fd, self, 0);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return holding(fd);
  };

  // An owner lock more than two refreshes old: its process was killed moments ago (or is stuck).
  const heldByStalledOwner = async (slotName: string): Promise<boolean> => {
    let id: string;
    try {
      id = (await fs.readFile(path.join(dir, slotName), 'utf8')).slice(0, ID_LENGTH);
    } catch {
      return false;
    }
    if (!OWNER_ID.test(id) || id === RELEASED || id === self) return false;
    const refreshed = await fs.stat(`${ownerPath(id)}.lock`).then((s) => s.mtimeMs, () => undefined);
    return refreshed !== undefined && Date.now() - refreshed > 2 * OWNER_REFRESH_MS;
  };

  return {
    async tryClaim(slotName, waitMs = 0, stop, { whileStalled = false } = {}) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const release = await claimOnce(slotName);
        if (release !== undefined || Date.now() >= deadline || stop?.aborted === true) return release;
        if (whileStalled && !(await heldByStalledOwner(slotName))) return undefined;
        await sleep(POLL_MS);
      }
    },
    heldByStalledOwner,
    async close() {
      await releaseOwner();
      const owners = (await fs.readdir(dir)).filter((e) => OWNER_LOCK.test(e)).map((e) => path.join(dir, e.slice(0, -'.lock'.length)));
      await Promise.all(owners.map(async (owner) => {
        if (await lockfile.check(owner, lockOptions)) return;
        try {
          await (await lockfile.lock(owner, { ...lockOptions, retries: 0 }))();
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
        }
      }));
    },
  };
}

/**
 * Holds a scheduled slot's claim while `fn` works on it by hand (pin-and-run), as \`run\` holds the
 * slots it works on, so a \`run\` started meanwhile waits for the slot instead of giving up the
 * attempt under way. Refuses (exit 2) while a live process holds the claim. An ad hoc run is no
 * slot of the schedule, which `run` never touches: it needs no claim.
 */
export async function withSlotClaim<T>(runsDir: string, slot: { pairId: string; task: string; variant: string; adhoc?: boolean }, fn: () => Promise<T>): Promise<T> {
  if (slot.adhoc === true) return fn();
  const name = slotName(slot);
  const claims = await openClaims(runsDir);
  try {
    const release = await claims.tryClaim(name);
    if (release === undefined) throw inputError(`another process is working on ${name} (a \`run\`, or another pin-and-run)`, { hint: 'wait until it is done, then look at the slot again with `harness status`' });
    try {
      return await fn();
    } finally {
      await release();
    }
  } finally {
    await claims.close();
  }
}
