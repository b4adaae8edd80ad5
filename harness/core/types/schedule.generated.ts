// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/schedule.schema.json

/**
 * runs/<exp>/schedule.json: every slot of the experiment in execution order, derived deterministically from the config and the registered seed.
 */
export interface Schedule {
  schemaVersion: 1;
  experiment: string;
  seed: number;
  /**
   * The algorithm and PRNG, so the schedule can be regenerated.
   */
  generator: string;
  pairsPerTask: number;
  tasks: string[];
  variants: string[];
  slots: {
    /**
     * 0-based execution order.
     */
    index: number;
    task: string;
    pairId: string;
    /**
     * 1-based pair number within its task.
     */
    pairIndex: number;
    /**
     * 1-based round of the task rotation.
     */
    round: number;
    /**
     * 1-based position of this run inside its pair.
     */
    position: number;
    variant: string;
    seed: number;
  }[];
}
