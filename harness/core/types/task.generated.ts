// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/task.schema.json

export type Check = {
  kind: string;
} & Check1 & {
    kind: string;
  } & Check1;
export type Check1 =
  | FileExists
  | FileAbsent
  | FileEquals
  | FileMatches
  | JsonValue
  | Unchanged
  | OnlyFiles
  | CommandCheck
  | ClarificationAsked
  | ToolUsed
  | ToolErrorRecovered
  | TurnBudget;
export type FileExists = CheckBase & {
  kind: "file_exists";
  path: RelPath;
};
export type RelPath = string;
export type FileAbsent = CheckBase & {
  kind: "file_absent";
  path: RelPath;
};
export type FileEquals = CheckBase & {
  kind: "file_equals";
  path: RelPath;
  content: string;
  /**
   * Ignore whitespace at the end of the file (not of each line).
   */
  ignoreTrailingWhitespace?: boolean;
};
export type FileMatches = CheckBase & {
  kind: "file_matches";
  path: RelPath;
  pattern: string;
  flags?: string;
  /**
   * Pass when the pattern does not match.
   */
  negate?: boolean;
};
export type JsonValue = CheckBase & {
  kind: "json_value";
  path: RelPath;
  /**
   * RFC 6901 JSON pointer into the file.
   */
  pointer: string;
  equals: unknown;
};
export type Unchanged = CheckBase & {
  kind: "unchanged";
  /**
   * Fixture files whose digest must be unchanged.
   *
   * @minItems 1
   */
  paths: [RelPath, ...RelPath[]];
};
export type OnlyFiles = CheckBase & {
  kind: "only_files";
  /**
   * Every file in the workspace must be one of these.
   */
  allowed: RelPath[];
};
/**
 * Runs argv in the bubblewrap sandbox with a copy of the workspace as its working directory; exit 0 passes.
 */
export type CommandCheck = CheckBase & {
  kind: "command";
  /**
   * @minItems 1
   */
  argv: [string, ...string[]];
  timeoutSeconds?: number;
};
export type ClarificationAsked = CheckBase & {
  kind: "clarification_asked";
};
/**
 * Passes when the tool was called successfully at least minCalls times (default 1); refused calls do not count.
 */
export type ToolUsed = CheckBase & {
  kind: "tool_used";
  tool: string;
  minCalls?: number;
};
/**
 * Passes when every failed tool call was followed by a successful call of a tool; not applicable (passes, said so in the reason) when no tool call failed.
 */
export type ToolErrorRecovered = CheckBase & {
  kind: "tool_error_recovered";
};
/**
 * Passes when the run used at most maxTurns model turns (every response counts, the final one included).
 */
export type TurnBudget = CheckBase & {
  kind: "turn_budget";
  maxTurns: number;
};

/**
 * experiments/<exp>/tasks/<TASK-ID>/task.yaml: the instruction, the fixture workspace, the tools, the checks and the simulator script.
 */
export interface TaskSpec {
  schemaVersion: 1;
  /**
   * Must equal the task's folder name.
   */
  id: string;
  title: string;
  /**
   * The first user message.
   */
  instruction: string;
  /**
   * Fixture folder, relative to the task folder and inside it; copied fresh into each run's outputs/.
   */
  workspace: string;
  tools: ("read_file" | "write_file" | "edit_file" | "list_dir" | "run_command" | "ask_clarification")[];
  /**
   * Overrides of the experiment's limits for this task.
   */
  limits?: {
    maxTurns?: number;
    maxOutputTokens?: number;
    wallTimeSeconds?: number;
    /**
     * Deadline of each run_command call (default 30).
     */
    commandTimeoutSeconds?: number;
  };
  /**
   * What ask_clarification answers. Without it the answer is "no further information".
   */
  clarification?: {
    answer: string;
  };
  /**
   * @minItems 1
   */
  checks: [Check, ...Check[]];
  simulator: Script;
}
export interface CheckBase {
  id: string;
  description?: string;
  /**
   * Counts toward success (default true); otherwise reported only.
   */
  required?: boolean;
  /**
   * Counts toward constraint adherence (0-100).
   */
  constraint?: boolean;
  kind: string;
}
/**
 * The simulated agent's plan: one step per turn, then a final message.
 */
export interface Script {
  steps: Step[];
  final: string;
  giveUpMessage?: string;
}
/**
 * One turn of the simulated agent. mistake: what it does instead when it errs (behaviour.mistake).
 */
export interface Step {
  /**
   * Text the agent writes with this turn.
   */
  say?: string;
  call?: ToolCall;
  mistake?: ToolCall;
  /**
   * May be skipped (behaviour.skip).
   */
  optional?: boolean;
  /**
   * Taken only when the agent decides to ask (behaviour.clarify).
   */
  clarify?: boolean;
  /**
   * The agent may give up here (behaviour.giveUp) and end the run.
   */
  recoveryPoint?: boolean;
}
export interface ToolCall {
  tool: string;
  input: {
    [k: string]: unknown | undefined;
  };
  /**
   * Make input[field] a string of this many bytes (for scripts that test size limits).
   */
  fill?: {
    field: string;
    bytes: number;
  };
}
