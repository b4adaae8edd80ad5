// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/freeze-record.schema.json

/**
 * runs/<exp>/experiment.lock.json: the digest of every input of the experiment, written once by `harness freeze`.
 */
export interface FreezeRecord {
  schemaVersion: 1;
  experiment: string;
  frozenAt: string;
  harnessVersion: string;
  /**
   * The provider every run of this set uses.
   */
  provider: "sim" | "anthropic" | "command";
  seed: number;
  /**
   * A pilot set: one pair per task, never counted by the confirmatory analysis.
   */
  pilot: boolean;
  inputs: {
    config: PinnedFile;
    preregistration: PinnedFile;
    variants: PinnedVariant[];
    tasks: PinnedTask[];
    agent?: PinnedFile1;
  };
  schedule: {
    path: string;
    digest: Digest;
    slots: number;
  };
  digest: Digest;
}
export interface PinnedFile {
  path: string;
  digest: Digest;
}
export interface Digest {
  sha256: string;
}
export interface PinnedVariant {
  id: string;
  path: string;
  digest: Digest;
}
export interface PinnedTask {
  id: string;
  specPath: string;
  specDigest: Digest;
  workspacePath: string;
  workspaceDigest: Digest;
  /**
   * Every fixture file with its sha256, so a changed file can be named.
   */
  workspaceFiles: {
    path: string;
    sha256: string;
  }[];
}
/**
 * The external agent's folder (provider command), pinned like every other input.
 */
export interface PinnedFile1 {
  path: string;
  digest: Digest;
}
