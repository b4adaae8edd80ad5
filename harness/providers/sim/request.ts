// Checks a /v1/messages body the way the API does, with the API's error types, so a harness bug
// that the real service would reject is rejected here too, offline.

/** An error response in the API's shape: HTTP status, `error.type` and message. */
export interface ApiFailure {
  status: number;
  type: string;
  message: string;
}

export interface RequestMessage {
  role: 'user' | 'assistant';
  content: unknown;
}

/** The parts of a Messages request the simulator reads. */
export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: RequestMessage[];
  system?: unknown;
  tools?: unknown;
}

export const invalid = (message: string): ApiFailure => ({ status: 400, type: 'invalid_request_error', message });

type Body = Record<string, unknown>;
const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

// Field checks first (as the API validates the schema before anything else), then the model,
// then what the simulator cannot do.
export function checkMessagesRequest(body: unknown, sessionModel: string): MessagesRequest | ApiFailure {
  if (!isObject(body)) return invalid('body: Input should be a valid JSON object');
  for (const field of ['model', 'max_tokens', 'messages']) {
    if (body[field] === undefined) return invalid(`${field}: Field required`);
  }
  const { model, max_tokens: maxTokens, messages } = body;
  if (typeof model !== 'string') return invalid('model: Input should be a valid string');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return invalid('max_tokens: Input should be an integer greater than or equal to 1');
  }
  const bad = messagesProblem(messages);
  if (bad !== undefined) return invalid(bad);
  if (model !== sessionModel) return { status: 404, type: 'not_found_error', message: `model: ${model}` };
  if (body.temperature !== undefined) {
    return invalid(`temperature: ${model} does not accept \`temperature\`; remove it from the request`);
  }
  if (body.stream !== undefined && body.stream !== false) {
    return invalid('stream: streaming is not supported by the simulator; send the request without `stream`');
  }
  return body as unknown as MessagesRequest;
}

// Roles, content types, and the rule the API enforces on tool loops: every tool_use must be
// answered by a tool_result in the very next (user) message.
function messagesProblem(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return 'messages: Input should be a valid list';
  if (messages.length === 0) return 'messages: at least one message is required';
  for (const [i, m] of messages.entries()) {
    if (!isObject(m)) return `messages.${i}: Input should be a valid dictionary`;
    if (m.role !== 'user' && m.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `messages.${i}.content: Input should be a valid string or list`;
    const unanswered = toolUseIds(m).filter((id) => !toolResultIds(messages[i + 1]).includes(id));
    if (unanswered.length > 0) {
      return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
  }
  return undefined;
}

// Content blocks of one type; string content has none.
function blocksOf(message: unknown, type: string): Body[] {
  if (!isObject(message) || !Array.isArray(message.content)) return [];
  return message.content.filter((b): b is Body => isObject(b) && b.type === type);
}

// Only the model's own (assistant) tool calls need answers.
function toolUseIds(message: Body): string[] {
  return message.role === 'assistant' ? blocksOf(message, 'tool_use').map((b) => String(b.id)) : [];
}

// Answers count only in a user message, where the API expects them.
function toolResultIds(message: unknown): string[] {
  return isObject(message) && message.role === 'user' ? blocksOf(message, 'tool_result').map((b) => String(b.tool_use_id)) : [];
}
