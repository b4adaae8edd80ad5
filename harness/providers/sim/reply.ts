import type { ApiFailure } from './request.js';
import type { BuiltMessage } from './response.js';

export type ReplyHeaders = Record<string, string>;

/**
 * A body as text, or as text around a filler of `bytes` 'x' characters that the transport
 * streams in fixed chunks, so a 100 MB tool input is never built as a string.
 */
export type ReplyBody = { kind: 'text'; text: string } | { kind: 'fill'; head: string; bytes: number; tail: string };

/** What the simulator answers, before a transport (HTTP, or in-process fetch) sends it. */
export interface SimReply {
  status: number;
  headers: ReplyHeaders;
  body: ReplyBody;
}

const json = { 'content-type': 'application/json' };

export function jsonReply(status: number, body: unknown, headers: ReplyHeaders = {}): SimReply {
  return { status, headers: { ...headers, ...json }, body: { kind: 'text', text: JSON.stringify(body) } };
}

// The API's error envelope, request id included, as the SDK parses it into APIError subclasses.
export function errorReply(failure: ApiFailure, requestId: string, headers: ReplyHeaders = {}): SimReply {
  const body = { type: 'error', error: { type: failure.type, message: failure.message }, request_id: requestId };
  return jsonReply(failure.status, body, { ...headers, 'request-id': requestId });
}

// A `malformed` fault: status 200 and a JSON content type, but the body stops halfway.
export function truncatedReply(built: BuiltMessage, headers: ReplyHeaders): SimReply {
  const text = JSON.stringify(built.message);
  return { status: 200, headers: { ...headers, ...json }, body: { kind: 'text', text: text.slice(0, Math.floor(text.length / 2)) } };
}

const MARKER = '\u0001sim-fill\u0001';

// A message with a fill is serialised around a marker that the filler replaces on the way out.
export function messageReply(built: BuiltMessage, headers: ReplyHeaders): SimReply {
  const fill = built.fill;
  const block = built.message.content.find((b) => b.type === 'tool_use');
  if (fill === undefined || block === undefined) return { status: 200, headers: { ...headers, ...json }, body: { kind: 'text', text: JSON.stringify(built.message) } };
  block.input[fill.field] = MARKER;
  const [head = '', tail = ''] = JSON.stringify(built.message).split(JSON.stringify(MARKER));
  return { status: 200, headers: { ...headers, ...json }, body: { kind: 'fill', head: `${head}"`, bytes: fill.bytes, tail: `"${tail}` } };
}

/** Content-length of a body, counted without building it. */
export function bodyLength(body: ReplyBody): number {
  return body.kind === 'text' ? Buffer.byteLength(body.text) : Buffer.byteLength(body.head) + body.bytes + Buffer.byteLength(body.tail);
}

/** The filler of a fill body, in chunks of at most 64 KiB (one shared buffer). */
export function* fillChunks(bytes: number): Generator<Buffer> {
  for (let left = bytes; left > 0; left -= CHUNK.length) yield left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');
