// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/report.schema.json

/**
 * runs/<exp>/analysis/report.json: the paired analysis as registered, and the registry head and freeze record it was computed from.
 */
export interface AnalysisReport {
  schemaVersion: 2;
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
    /**
     * The variant that alone succeeded in more discordant pairs (the treatment when b > c), or null when b = c.
     */
    favours: string | null;
    /**
     * Whether the difference observed (b against c) points the way the hypothesis expects; for direction 'different', any difference does.
     */
    asHypothesised: boolean;
    /**
     * The level of every interval in primary: 1 - alpha for a two-sided test, 1 - 2 alpha for a one-sided one, whose bound on the tested side is then the one-sided 1 - alpha bound.
     */
    confLevel: number;
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
      /**
       * null when the task has no analysable pair.
       */
      riskDifference: {
        estimate: number;
        lower: number;
        upper: number;
      } | null;
    }[];
    successRates: {
      variant: string;
      task: string;
      successes: number;
      n: number;
      /**
       * null, as its interval, when n = 0.
       */
      rate: number | null;
      lower: number | null;
      upper: number | null;
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
          sidedness: "two-sided" | "greater" | "less";
          /**
           * The pairs the test used: the Wilcoxon test drops pairs whose difference is zero.
           */
          n: number;
          pValue: number;
          method: string;
        };
        pHolm: number;
        /**
         * The level of ci, clustered and logRatio: 1 - alpha (the primary outcome's) for two-sided secondary tests, 1 - 2 alpha for one-sided ones.
         */
        confLevel: number;
        /**
         * The median of the Walsh averages of all paired differences, zeros included (the Wilcoxon test drops them).
         */
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
