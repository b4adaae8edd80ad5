import type { TraceEvent } from '../core/types/index.js';

export interface TraceSummary {
  stopReason: string;
  turns: number;
  toolCalls: number;
  toolErrors: number;
  clarifications: number;
  retries: number;
  usage: { input: number; output: number; cacheCreation: number; cacheRead: number };
  wallTimeSeconds: number;
  model: string | null;
  violations: { rule: string; critical: boolean; message: string; tool: string; path: string }[];
  /** Successful calls per tool. */
  succeeded: Map<string, number>;
  /** Whether every failed tool call was followed by a successful one; null when none failed. */
  recoveredFromErrors: boolean | null;
  infrastructureError: string | null;
}

type Of<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

// One pass over the trace gives every number the scorecard reports: the trace is the record of
// what happened, the scorecard only summarises it.
export function summarizeTrace(events: readonly TraceEvent[]): TraceSummary {
  const s: TraceSummary = {
    stopReason: 'incomplete', turns: 0, toolCalls: 0, toolErrors: 0, clarifications: 0, retries: 0,
    usage: { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 }, wallTimeSeconds: 0, model: null,
    violations: [], succeeded: new Map(), recoveredFromErrors: null, infrastructureError: null,
  };
  let unrecovered = 0;
  for (const e of events) {
    switch (e.type) {
      case 'response': {
        const r = e as Of<'response'>;
        s.turns++;
        s.model = r.model;
        break;
      }
      case 'tool_result': {
        const r = e as Of<'tool_result'>;
        s.toolCalls++;
        if (r.isError) {
          s.toolErrors++;
          unrecovered++;
          s.recoveredFromErrors = false;
        } else {
          s.succeeded.set(r.name, (s.succeeded.get(r.name) ?? 0) + 1);
          if (unrecovered > 0) {
            unrecovered = 0;
            s.recoveredFromErrors = true;
          }
        }
        break;
      }
      case 'clarification': s.clarifications++; break;
      case 'retry': s.retries++; break;
      case 'violation': {
        const v = e as Of<'violation'>;
        s.violations.push({ rule: v.rule, critical: v.critical, message: v.message, tool: v.tool, path: v.path });
        break;
      }
      case 'error': {
        const err = e as Of<'error'>;
        if (err.infrastructure) s.infrastructureError = err.message;
        break;
      }
      case 'run_end': {
        const end = e as Of<'run_end'>;
        s.stopReason = end.stopReason;
        s.usage = { input: end.usage.input_tokens, output: end.usage.output_tokens, cacheCreation: end.usage.cache_creation_input_tokens, cacheRead: end.usage.cache_read_input_tokens };
        s.wallTimeSeconds = end.wallTimeMs / 1000;
        break;
      }
      default: break;
    }
  }
  if (unrecovered > 0) s.recoveredFromErrors = false;
  return s;
}
