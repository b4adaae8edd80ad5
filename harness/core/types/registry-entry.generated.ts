// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/registry-entry.schema.json

/**
 * One line of runs/<exp>/registry.jsonl: an append-only, hash-chained event.
 */
export type RegistryEntry = {
  type: string;
} & (
  | FrozenEntry
  | PinnedEntry
  | LockedEntry
  | AbandonedEntry
  | RetriedEntry
  | SupersededEntry
  | ExcludedEntry
  | ViolationEntry
  | AnalysedEntry
  | AuditedEntry
  | DeviationEntry
);
export type FrozenEntry = EntryBase & {
  type: "frozen";
  data: {
    freezeDigest: Digest;
    scheduleDigest: Digest;
    configDigest: Digest;
    preregistrationDigest: Digest;
    provider: string;
    harnessVersion: string;
    slots: number;
  };
};
export type PinnedEntry = EntryBase & {
  type: "pinned";
  data: {
    runId: string;
    slotIndex: number | null;
    pairId: string;
    variant: string;
    task: string;
    attempt: number;
    manifestDigest: Digest;
    adhoc: boolean;
  };
};
export type LockedEntry = EntryBase & {
  type: "locked";
  data: {
    runId: string;
    slotIndex: number | null;
    pairId: string;
    variant: string;
    task: string;
    attempt: number;
    rootDigest: Digest;
    lockDigest: Digest;
    manifestDigest: Digest;
    scorecardDigest: Digest;
    success: boolean;
    stopReason: string;
    adhoc: boolean;
  };
};
export type AbandonedEntry = EntryBase & {
  type: "abandoned";
  data: {
    runId: string;
    slotIndex: number | null;
    pairId: string;
    task: string;
    variant: string;
    reason: string;
  };
};
export type RetriedEntry = EntryBase & {
  type: "retried";
  data: {
    runId: string;
    slotIndex: number | null;
    pairId: string;
    task: string;
    variant: string;
    cause: string;
    nextAttempt: number;
  };
};
export type SupersededEntry = EntryBase & {
  type: "superseded";
  data: {
    runId: string;
    slotIndex: number | null;
    pairId: string;
    task: string;
    variant: string;
    reason: string;
  };
};
export type ExcludedEntry = EntryBase & {
  type: "excluded";
  data: {
    pairId: string;
    rule: string;
    reason: string;
  };
};
export type ViolationEntry = EntryBase & {
  type: "violation";
  data: {
    runId: string;
    severity: "critical" | "non-critical";
    rule: string;
    message: string;
    action: string;
    status: string;
  };
};
export type AnalysedEntry = EntryBase & {
  type: "analysed";
  data: {
    who: string;
    pairsLocked: number;
    pairsPlanned: number;
    blinded: boolean;
    reportDigest: Digest | null;
  };
};
export type AuditedEntry = EntryBase & {
  type: "audited";
  data: {
    who: string;
    passed: boolean;
    findings: number;
    auditDigest: Digest;
  };
};
export type DeviationEntry = EntryBase & {
  type: "deviation";
  data: {
    kind: "unblinded-look" | "config-change" | "other";
    who: string;
    reason: string;
    details?: {
      [k: string]: unknown | undefined;
    };
  };
};

export interface EntryBase {
  schemaVersion: 1;
  /**
   * 0-based position in the registry.
   */
  seq: number;
  at: string;
  type: string;
  experiment: string;
  /**
   * Digest of the previous entry (null for the genesis entry): the hash chain.
   */
  prev: Digest | null;
  digest: Digest1;
}
export interface Digest {
  sha256: string;
}
/**
 * Digest of this entry's canonical JSON without this field.
 */
export interface Digest1 {
  sha256: string;
}
