// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/preregistration.schema.json

/**
 * experiments/<exp>/preregistration.yaml: what will be tested, how, on how many pairs, and what may be excluded, fixed before the first run.
 */
export interface Preregistration {
  schemaVersion: 1;
  /**
   * Id of the experiment this registers.
   */
  experiment: string;
  registeredAt: string;
  authors?: string[];
  /**
   * @minItems 1
   */
  hypotheses: [
    {
      id: string;
      statement: string;
      treatment: string;
      control: string;
      /**
       * Expected direction of treatment minus control.
       */
      direction: "greater" | "less" | "different";
    },
    ...{
      id: string;
      statement: string;
      treatment: string;
      control: string;
      /**
       * Expected direction of treatment minus control.
       */
      direction: "greater" | "less" | "different";
    }[]
  ];
  primaryOutcome: {
    metric: "success";
    test: "mcnemar-exact";
    sidedness: "two-sided" | "greater" | "less";
    /**
     * Below 0.5: a one-sided test at 0.5 would have no matching interval (1 - 2 alpha).
     */
    alpha: number;
    /**
     * How tasks are combined for the primary test.
     */
    pooling?: "pooled-discordant-pairs";
  };
  plannedN: {
    pairsPerTask: number;
    tasks: number;
    /**
     * Fewest analysable pairs per task after exclusions.
     */
    minimumPairsPerTask?: number;
    justification?: string;
  };
  stoppingRule: {
    kind: "fixed-n";
    description: string;
  };
  exclusionRules: {
    id: string;
    description: string;
    /**
     * Exclusions always drop the whole pair.
     */
    scope?: "pair";
  }[];
  secondaryOutcomes: {
    /**
     * @minItems 1
     */
    metrics: [
      (
        | "constraintAdherence"
        | "turns"
        | "toolCalls"
        | "toolErrors"
        | "inputTokens"
        | "outputTokens"
        | "totalTokens"
        | "costUsd"
        | "wallTimeSeconds"
        | "clarifications"
      ),
      ...(
        | "constraintAdherence"
        | "turns"
        | "toolCalls"
        | "toolErrors"
        | "inputTokens"
        | "outputTokens"
        | "totalTokens"
        | "costUsd"
        | "wallTimeSeconds"
        | "clarifications"
      )[]
    ];
    test: "wilcoxon-signed-rank" | "sign-flip-permutation";
    sidedness?: "two-sided" | "greater" | "less";
    correction: "holm";
    /**
     * Metrics also reported as log ratio treatment/control.
     */
    logRatio?: (
      | "constraintAdherence"
      | "turns"
      | "toolCalls"
      | "toolErrors"
      | "inputTokens"
      | "outputTokens"
      | "totalTokens"
      | "costUsd"
      | "wallTimeSeconds"
      | "clarifications"
    )[];
  };
  blinding: {
    outcomesHiddenUntilComplete: boolean;
    description: string;
  };
  notes?: string;
  /**
   * The registered seed; must equal design.seed in experiment.yaml.
   */
  seed: number;
}
