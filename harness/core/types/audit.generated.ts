// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/audit.schema.json

/**
 * runs/<exp>/audit/audit.json: each check of the run set against its pre-registration, with evidence.
 */
export interface AuditReport {
  schemaVersion: 1;
  experiment: string;
  auditedAt: string;
  passed: boolean;
  inputs: {
    registryHead: null | Digest;
    registryEntries: number;
    freezeDigest: null | Digest;
    preregistrationDigest: Digest;
  };
  checks: {
    id: string;
    title: string;
    status: "PASS" | "FAIL";
    evidence: string[];
  }[];
}
export interface Digest {
  sha256: string;
}
