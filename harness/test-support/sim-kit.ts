// Shared by the simulator's tests: a script, a server per test, and a tool loop driven by the real SDK.
import Anthropic from '@anthropic-ai/sdk';
import type { ClientOptions } from '@anthropic-ai/sdk';
import { afterEach } from 'vitest';
import type { Script } from '../core/types/index.js';
import { createSimSession } from '../providers/sim/client.js';
import { startSimServer, type SimServer } from '../providers/sim/server.js';
import type { SimSessionSpec } from '../providers/sim/session.js';

export const MODEL = 'claude-sonnet-5-5';

export const SCRIPT: Script = {
  steps: [
    { say: 'Let me see what is here.', call: { tool: 'list_dir', input: { path: '.' } } },
    { call: { tool: 'read_file', input: { path: 'notes.txt' } } },
    { say: 'Writing the summary.', call: { tool: 'write_file', input: { path: 'summary.txt', content: 'short' } } },
  ],
  final: 'The summary is in summary.txt.',
};

export const TOOLS: Anthropic.Tool[] = ['list_dir', 'read_file', 'write_file'].map((name) => ({
  name,
  description: `The ${name} tool.`,
  input_schema: { type: 'object', properties: { path: { type: 'string' } } },
}));

const servers: SimServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A fresh server (closed after the test), a session on it, and a counter of HTTP requests the SDK made. */
export async function simClient(
  session: Partial<SimSessionSpec> = {},
  options: ClientOptions = {},
): Promise<{ client: Anthropic; server: SimServer; token: string; requests: () => number }> {
  const server = await startSimServer();
  servers.push(server);
  const token = await createSimSession(server.url, { script: SCRIPT, behaviour: {}, seed: 1, model: MODEL, ...session });
  let requests = 0;
  const countingFetch: typeof fetch = (input, init) => {
    requests += 1;
    return fetch(input, init);
  };
  const client = new Anthropic({ apiKey: token, baseURL: server.url, maxRetries: 4, fetch: countingFetch, ...options });
  return { client, server, token, requests: () => requests };
}

export interface LoopTurn {
  /** The conversation as sent for this turn. */
  sent: Anthropic.MessageParam[];
  message: Anthropic.Message;
  requestId: string | null | undefined;
}

// The agent loop in miniature: send, append the answer, echo a tool_result per tool_use, repeat.
export async function runLoop(
  client: Anthropic,
  params: Partial<Anthropic.MessageCreateParamsNonStreaming> = {},
): Promise<LoopTurn[]> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Summarise notes.txt into summary.txt.' }];
  const turns: LoopTurn[] = [];
  for (let i = 0; i < 20; i++) {
    const { data, request_id } = await client.messages
      .create({ model: MODEL, max_tokens: 1024, tools: TOOLS, messages, ...params })
      .withResponse();
    turns.push({ sent: [...messages], message: data, requestId: request_id });
    messages.push({ role: 'assistant', content: data.content });
    if (data.stop_reason !== 'tool_use') break;
    const uses = data.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    messages.push({ role: 'user', content: uses.map((u) => ({ type: 'tool_result', tool_use_id: u.id, content: 'ok' })) });
  }
  return turns;
}
