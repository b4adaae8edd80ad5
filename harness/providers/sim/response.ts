import { createHash } from 'node:crypto';
import { simId } from './draw.js';
import type { PlannedToolUse } from './plan.js';
import type { MessagesRequest } from './request.js';
import type { SimSession } from './session.js';

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** A Messages API response body, field for field. */
export interface MessageBody {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: 'tool_use' | 'end_turn' | 'max_tokens';
  stop_sequence: null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
  };
}

/** The response to send, and the fill the writer streams into its tool input (when there is one). */
export interface BuiltMessage {
  message: MessageBody;
  fill?: PlannedToolUse['fill'];
  /** The cacheable prefix this request carried: written to the session's cache once the answer is served. */
  prefixDigest?: string;
}

// Tokens are counted as characters / 4, the usual rule of thumb: deterministic and of the right size.
const tokens = (chars: number): number => Math.ceil(chars / 4);

// Answers turn `turn` (past the plan's end the final message again). Ids repeat for the same
// (seed, turn, attempt); the tool_use id depends on the turn only, so a retried turn yields the
// same transcript. Filler bytes of a fill count neither toward output_tokens nor max_tokens:
// they are a test payload, not modelled generation.
export function buildMessage(session: SimSession, req: MessagesRequest, turn: number, attempt: number): BuiltMessage {
  const seed = session.spec.seed;
  const planned = session.plan[Math.min(turn, session.plan.length - 1)];
  const content: ContentBlock[] = [];
  if (planned?.text !== undefined) content.push({ type: 'text', text: planned.text });
  const toolUse = planned?.toolUse;
  if (toolUse !== undefined) {
    content.push({ type: 'tool_use', id: simId('toolu_sim_', seed, turn), name: toolUse.name, input: structuredClone(toolUse.input) });
  }
  const fitted = fitToMaxTokens(content, req.max_tokens);
  const { usage, prefixDigest } = inputUsage(session, req);
  const message: MessageBody = {
    id: simId('msg_sim_', seed, turn, attempt),
    type: 'message',
    role: 'assistant',
    model: req.model,
    content: fitted.content,
    stop_reason: fitted.truncated ? 'max_tokens' : toolUse !== undefined ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { ...usage, output_tokens: fitted.outputTokens },
  };
  const fill = fitted.truncated ? undefined : toolUse?.fill;
  return { message, ...(fill === undefined ? {} : { fill }), ...(prefixDigest === undefined ? {} : { prefixDigest }) };
}

// Over max_tokens the API stops mid-answer: keep as much text as fits, drop the unfinished tool
// call, and report exactly max_tokens of output.
function fitToMaxTokens(content: ContentBlock[], maxTokens: number): { content: ContentBlock[]; outputTokens: number; truncated: boolean } {
  const outputTokens = tokens(JSON.stringify(content).length);
  if (outputTokens <= maxTokens) return { content, outputTokens, truncated: false };
  const first = content[0];
  const overhead = JSON.stringify([{ type: 'text', text: '' }]).length;
  const kept = first?.type === 'text' ? first.text.slice(0, Math.max(0, maxTokens * 4 - overhead)) : '';
  return { content: kept === '' ? [] : [{ type: 'text', text: kept }], outputTokens: maxTokens, truncated: true };
}

// Input is tools, then system, then messages, as the API orders its prompt. The prefix up to the
// last block marked cache_control is cacheable: the first request carrying it writes it
// (cache_creation_input_tokens), later ones read it (cache_read_input_tokens), and input_tokens
// counts only what follows it. No minimum cacheable length is modelled.
function inputUsage(session: SimSession, req: MessagesRequest): { usage: Omit<MessageBody['usage'], 'output_tokens'>; prefixDigest?: string } {
  const system = typeof req.system === 'string' ? [{ type: 'text', text: req.system }] : Array.isArray(req.system) ? req.system : [];
  const blocks: unknown[] = [...(Array.isArray(req.tools) ? req.tools : []), ...system];
  const end = 1 + blocks.findLastIndex((b) => typeof b === 'object' && b !== null && (b as { cache_control?: unknown }).cache_control != null);
  const after = blocks.slice(end);
  const rest = tokens((after.length > 0 ? JSON.stringify(after).length : 0) + JSON.stringify(req.messages).length);
  if (end === 0) return { usage: { input_tokens: rest, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
  const prefix = JSON.stringify(blocks.slice(0, end));
  const prefixDigest = createHash('sha256').update(prefix).digest('hex');
  const hit = session.cached.has(prefixDigest);
  return {
    usage: {
      input_tokens: rest,
      cache_creation_input_tokens: hit ? 0 : tokens(prefix.length),
      cache_read_input_tokens: hit ? tokens(prefix.length) : 0,
    },
    prefixDigest,
  };
}
