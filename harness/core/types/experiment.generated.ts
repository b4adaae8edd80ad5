// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/experiment.schema.json

export type Slug = string;
export type TaskId = string;

/**
 * experiments/<exp>/experiment.yaml: what is compared, on which tasks, with which model, under which limits.
 */
export interface ExperimentConfig {
  schemaVersion: 1;
  /**
   * Must equal the experiment's folder name.
   */
  id: string;
  title: string;
  description?: string;
  /**
   * Variant ids; each has its system prompt in variants/<id>.md.
   *
   * @minItems 2
   */
  variants: [Slug, Slug, ...Slug[]];
  /**
   * Task ids; each lives in tasks/<id>/task.yaml. The schedule interleaves them in this order.
   *
   * @minItems 1
   */
  tasks: [TaskId, ...TaskId[]];
  design: {
    pairsPerTask: number;
    /**
     * The registered seed the schedule and every run seed derive from.
     */
    seed: number;
  };
  model: {
    id: string;
    /**
     * max_tokens of each request.
     */
    maxTokens: number;
    /**
     * Extra request parameters sent as written (only those the model accepts; current Claude models reject temperature).
     */
    params?: {
      [k: string]: unknown | undefined;
    };
  };
  provider: {
    name: "sim" | "anthropic" | "command";
    /**
     * For provider command: the external agent program.
     */
    command?: {
      /**
       * @minItems 1
       */
      argv: [string, ...string[]];
      /**
       * Grant the agent network access (pinned, reported by the audit).
       */
      network?: boolean;
      /**
       * Names of host environment variables passed through (never recorded with values).
       */
      env?: string[];
    };
  };
  limits: Limits;
  retries?: {
    /**
     * Attempts per slot for infrastructure failures.
     */
    maxAttempts?: number;
  };
  /**
   * Path of the pre-registration, relative to the experiment folder.
   */
  preregistration: string;
  /**
   * How the offline simulator behaves per variant, and which faults it injects.
   */
  simulator?: {
    behaviour?: {
      [k: string]: Behaviour | undefined;
    };
    faults?: {
      rate?: number;
      /**
       * @minItems 1
       */
      kinds?: [
        "rate_limit" | "overloaded" | "server_error" | "timeout" | "malformed",
        ...("rate_limit" | "overloaded" | "server_error" | "timeout" | "malformed")[]
      ];
    };
    latencyMs?: number;
  };
}
export interface Limits {
  maxTurns: number;
  /**
   * Total output tokens over the whole run.
   */
  maxOutputTokens: number;
  wallTimeSeconds: number;
}
/**
 * Probabilities the simulated agent draws against, per decision, from the run's seed.
 */
export interface Behaviour {
  /**
   * Skip a step marked optional.
   */
  skip?: number;
  /**
   * Take a step's mistake instead of the step.
   */
  mistake?: number;
  /**
   * Take a step that asks for clarification.
   */
  clarify?: number;
  /**
   * Stop at a step marked as a recovery point.
   */
  giveUp?: number;
  /**
   * Try a path outside the workspace once.
   */
  wander?: number;
  /**
   * Multiplier on the length of the agent's text.
   */
  verbosity?: number;
}
