// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.
/* eslint-disable */
// Source: schemas/trace-event.schema.json

/**
 * One line of runs/<exp>/<run-id>/agent.log (JSONL): enough to replay what happened without the provider. Long strings are cut and marked.
 */
export type TraceEvent = {
  type: string;
} & (
  | RunStartEvent
  | RequestEvent
  | ResponseEvent
  | ToolCallEvent
  | ToolResultEvent
  | RetryEvent
  | ErrorEvent
  | ViolationEvent
  | LimitEvent
  | ClarificationEvent
  | CommandOutputEvent
  | RunEndEvent
);
export type RunStartEvent = EventBase & {
  type: "run_start";
  runId: string;
  provider: string;
  model: string;
  tools: string[];
  systemDigest: Digest;
  toolsDigest: Digest;
  workspaceDigest: Digest;
};
export type RequestEvent = EventBase & {
  type: "request";
  turn: number;
  paramsDigest: Digest;
  messages: number;
};
export type ResponseEvent = EventBase & {
  type: "response";
  turn: number;
  requestId: string | null;
  model: string;
  stopReason: string | null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
  };
  content: {
    [k: string]: unknown | undefined;
  }[];
  durationMs: number;
};
export type ToolCallEvent = EventBase & {
  type: "tool_call";
  turn: number;
  id: string;
  name: string;
  input: {
    [k: string]: unknown | undefined;
  };
};
export type ToolResultEvent = EventBase & {
  type: "tool_result";
  turn: number;
  id: string;
  name: string;
  isError: boolean;
  output: string;
  durationMs: number;
};
export type RetryEvent = EventBase & {
  type: "retry";
  turn: number | null;
  attempt: number;
  cause: string;
  status: number | null;
  delayMs: number | null;
};
export type ErrorEvent = EventBase & {
  type: "error";
  message: string;
  infrastructure: boolean;
  status: number | null;
  requestId: string | null;
};
export type ViolationEvent = EventBase & {
  type: "violation";
  rule: string;
  critical: boolean;
  tool: string;
  path: string;
  message: string;
};
export type LimitEvent = EventBase & {
  type: "limit";
  limit: "turns" | "output_tokens" | "wall_time";
  value: number;
  max: number;
};
export type ClarificationEvent = EventBase & {
  type: "clarification";
  question: string;
  answer: string;
};
export type CommandOutputEvent = EventBase & {
  type: "command_output";
  stream: "stdout" | "stderr";
  text: string;
  truncated: boolean;
};
export type RunEndEvent = EventBase & {
  type: "run_end";
  stopReason: string;
  turns: number;
  toolCalls: number;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
  };
  wallTimeMs: number;
};

export interface EventBase {
  schemaVersion: 1;
  seq: number;
  at: string;
  type: string;
}
export interface Digest {
  sha256: string;
}
