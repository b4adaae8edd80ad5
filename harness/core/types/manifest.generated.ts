// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/manifest.schema.json

/**
 * runs/<exp>/<run-id>/manifest.json: everything that determines one run, pinned by digest, with the manifest's own digest.
 */
export interface Manifest {
  schemaVersion: 1;
  runId: string;
  createdAt: string;
  /**
   * True when the slot is not in the frozen schedule (pin-and-run --adhoc); such runs are never analysed.
   */
  adhoc: boolean;
  experiment: {
    id: string;
    /**
     * The experiment folder, relative to the directory harness ran in.
     */
    path: string;
    /**
     * The experiment's run set (freeze record, schedule, registry), relative to the directory harness ran in.
     */
    runsPath: string;
    configDigest: Digest;
    preregistrationDigest: Digest;
    scheduleDigest: Digest;
    freezeDigest: Digest;
  };
  slot: {
    /**
     * Index in the schedule; null for an ad-hoc run.
     */
    index: number | null;
    pairId: string;
    position: number | null;
    attempt: number;
  };
  task: {
    id: string;
    specDigest: Digest;
    workspaceDigest: Digest;
  };
  variant: {
    id: string;
    promptDigest: Digest;
    toolsDigest: Digest;
  };
  seed: number;
  provider: {
    name: "sim" | "anthropic" | "command";
    model: string;
    /**
     * Every request parameter except messages, system and tools, exactly as sent.
     */
    requestParams: {
      [k: string]: unknown | undefined;
    };
    sdkVersion: string;
    apiVersion: string;
    /**
     * Where the anthropic provider's requests go (ANTHROPIC_BASE_URL when the run was pinned, else the API's own); execution uses it, and both runs of a pair share it.
     */
    baseUrl?: string;
    command?: {
      argv: string[];
      network: boolean;
      /**
       * Digest of the agent program's folder (null for a program from the system, e.g. python3).
       */
      programDigest: null | Digest;
    };
  };
  sandbox: {
    /**
     * bwrap, or none when the user opted out with --sandbox none.
     */
    mode: "bwrap" | "none";
    version?: string;
  };
  limits: {
    maxTurns: number;
    maxOutputTokens: number;
    wallTimeSeconds: number;
  };
  environment: {
    harnessVersion: string;
    /**
     * Commit of the repository harness ran in; null outside git.
     */
    gitCommit: string | null;
    gitDirty: boolean | null;
    lockfileDigest: Digest1;
    nodeVersion: string;
    platform: string;
  };
  evaluator: {
    version: string;
    priceTableDigest: Digest;
  };
  digest: Digest;
}
export interface Digest {
  sha256: string;
}
/**
 * Digest of harness's package-lock.json.
 */
export interface Digest1 {
  sha256: string;
}
