import { promises as fs } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

// A claim is a lock on one slot for as long as a process works on it. proper-lockfile refreshes
// it while held; a holder killed with -9 stops refreshing, and after CLAIM_STALE_MS another
// process may take the slot over (and then finds the dead holder's attempt abandoned).
export const CLAIM_STALE_MS = 5_000;

export type Release = () => Promise<void>;

export async function claimsDir(runsDir: string): Promise<string> {
  const dir = path.join(runsDir, '.claims');
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Clears claims left on finished slots by a process killed between registering a run's lock and
 * releasing its claim: each is taken once its holder stops refreshing it (waiting at most
 * 2 x CLAIM_STALE_MS; a live holder of a finished slot's claim is about to let go), then released.
 */
export async function clearLeftoverClaims(dir: string, finished: ReadonlySet<string>): Promise<void> {
  const left = (await fs.readdir(dir)).filter((e) => e.endsWith('.lock') && finished.has(e.slice(0, -'.lock'.length)));
  await Promise.all(left.map(async (e) => {
    const release = await tryClaim(dir, e.slice(0, -'.lock'.length), CLAIM_STALE_MS * 2);
    await release?.();
  }));
}

/** Takes the slot's claim, or returns undefined at once if a live process holds it. */
export async function tryClaim(dir: string, slotName: string, waitMs = 0): Promise<Release | undefined> {
  try {
    return await lockfile.lock(path.join(dir, slotName), {
      realpath: false,
      stale: CLAIM_STALE_MS,
      update: CLAIM_STALE_MS / 5,
      retries: waitMs === 0 ? 0 : { retries: Math.ceil(waitMs / 250), minTimeout: 250, maxTimeout: 250, factor: 1 },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw err;
  }
}
