// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/lock.schema.json

/**
 * runs/<exp>/<run-id>/lock.json: every file of the locked run with its size and sha256, its symlinks and special files, and the run's root digest (sha256 of SHA256SUMS).
 */
export interface RunLock {
  schemaVersion: 1;
  runId: string;
  lockedAt: string;
  /**
   * Every regular file of the run except lock.json and SHA256SUMS, sorted by path bytes: the lines of SHA256SUMS.
   */
  files: {
    path: string;
    size: number;
    sha256: string;
  }[];
  /**
   * Symbolic links in the run (not in SHA256SUMS, which like `find -type f` covers regular files only), with their targets.
   */
  links: {
    path: string;
    target: string;
  }[];
  /**
   * Special files in the run (fifos, sockets, devices an agent left in its workspace; not in SHA256SUMS, which covers regular files only), with what each is. Absent in locks written before special files were recorded, which is read as none.
   */
  special?: {
    path: string;
    type: "fifo" | "socket" | "block-device" | "character-device";
  }[];
  rootDigest: Digest;
  manifestDigest: Digest;
  scorecardDigest: Digest;
}
export interface Digest {
  sha256: string;
}
