import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiFailure } from './request.js';
import type { BuiltMessage } from './response.js';

export type Headers = Record<string, string>;

// The API refuses request bodies over 32 MB (413 request_too_large); so does the simulator, which
// also bounds what it holds in memory. Past the limit the body is drained, not kept.
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

// The body as text; undefined when it was over the limit (the caller answers 413).
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
  }
  return size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

// Content-length is always set: the SDK reads exactly this body, never a chunked stream.
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// The API's error envelope, request id included, as the SDK parses it into APIError subclasses.
export function sendError(res: ServerResponse, failure: ApiFailure, requestId: string, headers: Headers = {}): void {
  const body = { type: 'error', error: { type: failure.type, message: failure.message }, request_id: requestId };
  sendJson(res, failure.status, body, { ...headers, 'request-id': requestId });
}

// A `malformed` fault: status 200 and a JSON content type, but the body stops halfway.
export function sendTruncated(res: ServerResponse, built: BuiltMessage, headers: Headers): void {
  const text = JSON.stringify(built.message);
  sendRaw(res, text.slice(0, Math.floor(text.length / 2)), headers);
}

// A message body is sent as already-serialised text, so a fault can cut it.
function sendRaw(res: ServerResponse, text: string, headers: Headers): void {
  res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const MARKER = '\u0001sim-fill\u0001';
const CHUNK = Buffer.alloc(64 * 1024, 'x');

// A fill is never built as a string: the body is written around a marker, with the filler
// streamed in fixed chunks (waiting for drain), so 100 MB costs one 64 KiB buffer.
export async function sendMessage(res: ServerResponse, built: BuiltMessage, headers: Headers): Promise<void> {
  const fill = built.fill;
  const block = built.message.content.find((b) => b.type === 'tool_use');
  if (fill === undefined || block === undefined) return sendRaw(res, JSON.stringify(built.message), headers);
  block.input[fill.field] = MARKER;
  const [head = '', tail = ''] = JSON.stringify(built.message).split(JSON.stringify(MARKER));
  const length = Buffer.byteLength(head) + 2 + fill.bytes + Buffer.byteLength(tail);
  res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': length });
  await write(res, `${head}"`);
  for (let left = fill.bytes; left > 0 && !res.destroyed; left -= CHUNK.length) {
    await write(res, left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left));
  }
  res.end(`"${tail}`);
}

// Resolves once the chunk is accepted, or the client has gone (then the loop above stops).
async function write(res: ServerResponse, chunk: string | Buffer): Promise<void> {
  if (res.write(chunk) || res.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
