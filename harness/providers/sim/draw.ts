import { createHash } from 'node:crypto';

// Every random decision of the simulator is a hash of (seed, label…), not a step of a stream:
// a draw never depends on which draws came before, so skipping or adding a decision elsewhere
// cannot shift it, and two variants run on one seed compare the same numbers against their own
// thresholds (a paired, correlated design).

export type DrawKey = (string | number)[];

// sha256 over the JSON of (seed, key): stable across platforms and Node versions.
function digest(seed: number, key: DrawKey): Buffer {
  return createHash('sha256').update(JSON.stringify([seed, ...key])).digest();
}

// A uniform number in [0, 1) from the top 53 bits of the hash: every double of that grid is equally likely.
export function uniform(seed: number, ...key: DrawKey): number {
  return Number(digest(seed, key).readBigUInt64BE(0) >> 11n) / 2 ** 53;
}

// True with probability p (missing → never), always consuming the same keyed draw.
export function chance(p: number | undefined, seed: number, ...key: DrawKey): boolean {
  return uniform(seed, ...key) < (p ?? 0);
}

// Ids look like the API's (prefix + 24 characters) and repeat exactly for the same seed and key.
export function simId(prefix: string, seed: number, ...key: DrawKey): string {
  return `${prefix}${digest(seed, [prefix, ...key]).toString('hex').slice(0, 24)}`;
}
