import type Anthropic from '@anthropic-ai/sdk';
import { jsonDigest } from '../core/digest.js';
import type { Manifest, TraceEvent } from '../core/types/index.js';
import { credentialsRefused, describeError, isTransient, type RunClient } from '../providers/anthropic-client.js';
import type { ToolDefinition } from './tools/definitions.js';
import { executeTool, type ToolContext } from './tools/execute-tool.js';
import type { TraceWriter } from './trace.js';

export interface LoopInput {
  client: RunClient;
  system: string;
  tools: ToolDefinition[];
  instruction: string;
  /** Every request parameter but messages, system and tools, exactly as pinned. */
  requestParams: Record<string, unknown>;
  limits: Manifest['limits'];
  toolContext: ToolContext;
  trace: TraceWriter;
  /** Extra tries of a request after the SDK's own retries (malformed bodies, exhausted retries). */
  loopRetries?: number;
}

// Token counts as the trace records them, per response and summed in run_end.
type Usage = Extract<TraceEvent, { type: 'response' }>['usage'];

export interface LoopResult {
  stopReason: string;
  turns: number;
  toolCalls: number;
  usage: Usage;
  wallTimeMs: number;
  /** Set when the run ended because the provider failed, not because of the model. */
  infrastructureError: string | undefined;
}

type Message = Anthropic.MessageParam;

// The tool-use loop: system prompt and tools form a cached prefix, the instruction is the first
// user message, and the loop runs until the model ends its turn or a limit (turns, total output
// tokens, wall time) is reached. Every request, response, tool call and result goes to the trace.
export async function runAgentLoop(input: LoopInput): Promise<LoopResult> {
  const started = performance.now();
  const deadline = started + input.limits.wallTimeSeconds * 1000;
  const usage: Usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: input.system, cache_control: { type: 'ephemeral' } }];
  const tools = input.tools.map((t, i) => (i === input.tools.length - 1 ? { ...t, cache_control: { type: 'ephemeral' as const } } : t));
  const paramsDigest = jsonDigest({ ...input.requestParams, system, tools });
  const messages: Message[] = [{ role: 'user', content: input.instruction }];
  let turns = 0;
  let toolCalls = 0;
  const finish = async (stopReason: string, infrastructureError?: string): Promise<LoopResult> => {
    const wallTimeMs = performance.now() - started;
    input.trace.write({ type: 'run_end', stopReason, turns, toolCalls, usage, wallTimeMs });
    return { stopReason, turns, toolCalls, usage, wallTimeMs, infrastructureError };
  };
  const limitHit = async (limit: 'turns' | 'output_tokens' | 'wall_time', value: number, max: number) => {
    input.trace.write({ type: 'limit', limit, value, max });
    return finish(limit === 'turns' ? 'max_turns' : limit === 'output_tokens' ? 'max_output_tokens' : 'wall_time');
  };

  for (;;) {
    if (turns >= input.limits.maxTurns) return limitHit('turns', turns, input.limits.maxTurns);
    if (performance.now() >= deadline) return limitHit('wall_time', (performance.now() - started) / 1000, input.limits.wallTimeSeconds);
    input.trace.write({ type: 'request', turn: turns, paramsDigest, messages: messages.length });
    const body = { ...input.requestParams, system, tools, messages } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const sent = performance.now();
    const outcome = await requestWithRetries(input, body, turns, deadline);
    if (outcome.kind === 'deadline') return limitHit('wall_time', (performance.now() - started) / 1000, input.limits.wallTimeSeconds);
    if (outcome.kind === 'failed') return finish('error', outcome.message);
    const { message, requestId } = outcome;
    turns++;
    addUsage(usage, message.usage);
    input.trace.write({
      type: 'response', turn: turns - 1, requestId, model: message.model, stopReason: message.stop_reason,
      usage: usageOf(message.usage), content: message.content as unknown as Record<string, unknown>[], durationMs: performance.now() - sent,
    });
    messages.push({ role: 'assistant', content: message.content as Anthropic.ContentBlockParam[] });
    if (usage.output_tokens >= input.limits.maxOutputTokens) return limitHit('output_tokens', usage.output_tokens, input.limits.maxOutputTokens);
    const uses = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    if (message.stop_reason !== 'tool_use' || uses.length === 0) return finish(message.stop_reason ?? 'end_turn');
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const use of uses) {
      toolCalls++;
      results.push(await callTool(input, use, turns - 1));
    }
    messages.push({ role: 'user', content: results });
  }
}

async function callTool(input: LoopInput, use: Anthropic.ToolUseBlock, turn: number): Promise<Anthropic.ToolResultBlockParam> {
  const args = (use.input ?? {}) as Record<string, unknown>;
  input.trace.write({ type: 'tool_call', turn, id: use.id, name: use.name, input: args });
  const started = performance.now();
  const result = await executeTool(use.name, args, input.toolContext);
  if (result.violation) {
    const v = result.violation;
    input.trace.write({ type: 'violation', rule: v.rule, critical: v.critical, tool: use.name, path: v.path, message: v.message });
  }
  if (result.clarification) input.trace.write({ type: 'clarification', ...result.clarification });
  input.trace.write({ type: 'tool_result', turn, id: use.id, name: use.name, isError: result.isError, output: result.output, durationMs: performance.now() - started });
  return { type: 'tool_result', tool_use_id: use.id, content: result.output, ...(result.isError ? { is_error: true } : {}) };
}

type RequestOutcome =
  | { kind: 'ok'; message: Anthropic.Message; requestId: string | null }
  | { kind: 'failed'; message: string }
  | { kind: 'deadline' };

// The SDK has already retried transient failures with backoff; a few more tries here cover what
// it does not retry (a malformed body) and failures that outlast its retries. Each is traced.
async function requestWithRetries(input: LoopInput, body: Anthropic.MessageCreateParamsNonStreaming, turn: number, deadline: number): Promise<RequestOutcome> {
  const extra = input.loopRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.max(0, deadline - performance.now()));
    try {
      return { kind: 'ok', ...(await input.client.createMessage(body, controller.signal)) };
    } catch (err) {
      if (controller.signal.aborted) return { kind: 'deadline' };
      const info = describeError(err);
      if (!isTransient(err) || attempt >= extra) {
        input.trace.write({ type: 'error', message: info.message, infrastructure: true, status: info.status, requestId: info.requestId });
        const refused = credentialsRefused(err);
        if (refused !== undefined) throw refused;
        return { kind: 'failed', message: info.message };
      }
      const delayMs = 250 * 2 ** attempt;
      input.trace.write({ type: 'retry', turn, attempt: attempt + 1, cause: `after the SDK's retries: ${info.message}`, status: info.status, delayMs });
      await new Promise((r) => setTimeout(r, delayMs));
    } finally {
      clearTimeout(timer);
    }
  }
}

function usageOf(u: Anthropic.Usage): Usage {
  return {
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
  };
}

function addUsage(total: Usage, u: Anthropic.Usage): void {
  const add = usageOf(u);
  total.input_tokens += add.input_tokens;
  total.output_tokens += add.output_tokens;
  total.cache_creation_input_tokens += add.cache_creation_input_tokens;
  total.cache_read_input_tokens += add.cache_read_input_tokens;
}
