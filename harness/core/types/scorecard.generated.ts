// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/scorecard.schema.json

/**
 * runs/<exp>/<run-id>/scorecard.json: the evaluated outcome of one run.
 */
export interface Scorecard {
  schemaVersion: 1;
  runId: string;
  evaluatedAt: string;
  evaluator: {
    version: string;
    priceTableDigest: Digest;
  };
  /**
   * Every required check passed.
   */
  success: boolean;
  checks: {
    id: string;
    kind: string;
    required: boolean;
    constraint: boolean;
    passed: boolean;
    reason: string;
  }[];
  metrics: {
    constraintAdherence: number;
    clarifications: number;
    turns: number;
    toolCalls: number;
    toolErrors: number;
    inputTokens: number;
    outputTokens: number;
    cacheCreationTokens: number;
    cacheReadTokens: number;
    totalTokens: number;
    costUsd: number;
    wallTimeSeconds: number;
    retries: number;
  };
  stopReason: string;
  violations: {
    rule: string;
    critical: boolean;
    message: string;
  }[];
  provider?: string;
}
export interface Digest {
  sha256: string;
}
