// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/report.schema.json

/**
 * runs/<exp>/analysis/report.json: the paired analysis as registered, and the registry head and freeze record it was computed from.
 */
export interface AnalysisReport {
  schemaVersion: 1;
  experiment: string;
  generatedAt: string;
  /**
   * The runs came from the offline simulator: the numbers say nothing about Claude.
   */
  simulated: boolean;
  provider: string;
  pilot: boolean;
  inputs: {
    registryHead: Digest;
    registryEntries: number;
    freezeDigest: Digest;
    harnessVersion: string;
  };
  plan: {
    hypothesis: {
      id: string;
      statement: string;
      treatment: string;
      control: string;
      direction: string;
    };
    primary: {
      test: string;
      sidedness: string;
      alpha: number;
    };
    secondary: {
      test: string;
      sidedness: string;
      correction: string;
      metrics: string[];
      logRatio: string[];
    };
  };
  /**
   * Outcomes by variant are withheld until every registered pair is locked.
   */
  blinded: boolean;
  unblindReason: string | null;
  progress: {
    pairsPlanned: number;
    pairsComplete: number;
    pairsExcluded: number;
    pairsIncomplete: number;
    runsLocked: number;
    /**
     * Attempts that failed for infrastructure reasons: each retried, and each given up after failing.
     */
    infrastructureFailures: number;
    /**
     * Attempts abandoned without failing: cut off by Ctrl-C, a crash or a kill, then run again. Not errors.
     */
    interruptedAttempts: number;
    /**
     * infrastructureFailures / (runsLocked + infrastructureFailures).
     */
    errorRate: number;
  };
  primary: {
    test: "mcnemar-exact";
    sidedness: "two-sided" | "greater" | "less";
    alpha: number;
    n: number;
    b: number;
    c: number;
    pValue: number;
    midPValue: number;
    significant: boolean;
    riskDifference: {
      estimate: number;
      lower: number;
      upper: number;
    };
    oddsRatio: {
      estimate: number | null;
      lower: number | null;
      upper: number | null;
    };
    clustered: {
      mean: number;
      se: number;
      naiveSe: number;
      lower: number;
      upper: number;
      clusters: number;
    } | null;
    perTask: {
      task: string;
      n: number;
      b: number;
      c: number;
      riskDifference: {
        estimate: number;
        lower: number;
        upper: number;
      };
    }[];
    successRates: {
      variant: string;
      task: string;
      successes: number;
      n: number;
      rate: number;
      lower: number;
      upper: number;
    }[];
  } | null;
  secondary:
    | {
        metric:
          | "constraintAdherence"
          | "turns"
          | "toolCalls"
          | "toolErrors"
          | "inputTokens"
          | "outputTokens"
          | "totalTokens"
          | "costUsd"
          | "wallTimeSeconds"
          | "clarifications";
        n: number;
        meanTreatment: number;
        meanControl: number;
        meanDifference: number | null;
        ci: {
          lower: number;
          upper: number;
        } | null;
        test: {
          name: "wilcoxon-signed-rank" | "sign-flip-permutation";
          statistic: number | null;
          pValue: number;
          method: string;
        };
        pHolm: number;
        hodgesLehmann: number | null;
        clustered: {
          se: number;
          naiveSe: number;
          lower: number;
          upper: number;
          clusters: number;
        } | null;
        logRatio: {
          ratio: number;
          lower: number;
          upper: number;
          n: number;
          skipped: number;
        } | null;
        notes: string[];
      }[]
    | null;
  exclusions: {
    pairId: string;
    rule: string;
    reason: string;
  }[];
}
export interface Digest {
  sha256: string;
}
