import { bodyLength, fillChunks, type SimReply } from './reply.js';
import { MAX_REQUEST_BYTES, type Simulator } from './simulator.js';

// The simulator inside the harness process: a `fetch` the SDK is given, which hands each request
// to the simulator directly instead of through a loopback socket and an HTTP server. The SDK
// does everything else as against the real API (headers, retries, timeouts, parsing); only the
// socket is gone, which is most of the cost of a simulated call (bench/alternatives.mjs).
// The SDK always calls fetch(url, init); a Request as input would have its own method, headers
// and body ignored here.
export function localFetch(simulator: Simulator): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    const headers = init?.headers instanceof Headers ? init.headers : new Headers(init?.headers);
    const text = await bodyText(init?.body);
    const reply = await simulator.handle({
      method: (init?.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      header: (name) => headers.get(name) ?? undefined,
      body: text !== undefined && Buffer.byteLength(text) > MAX_REQUEST_BYTES ? undefined : text ?? '',
    }, signal ?? NEVER);
    return toResponse(reply, signal);
  };
}

const NEVER = new AbortController().signal;

async function bodyText(body: RequestInit['body']): Promise<string | undefined> {
  if (body === undefined || body === null) return undefined;
  return typeof body === 'string' ? body : new Response(body).text();
}

function toResponse(reply: SimReply, signal: AbortSignal | undefined): Response {
  const { body } = reply;
  const headers = { ...reply.headers, 'content-length': String(bodyLength(body)) };
  if (body.kind === 'text') return new Response(body.text, { status: reply.status, headers });
  // Pulled chunk by chunk as the SDK reads, so a large fill never sits in memory whole.
  const parts = fillParts(body);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      // As with a real fetch, a request aborted while its body is read errors the body.
      if (signal?.aborted === true) {
        controller.error(signal.reason);
        return;
      }
      const next = parts.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
  });
  return new Response(stream, { status: reply.status, headers });
}

function* fillParts(body: Extract<SimReply['body'], { kind: 'fill' }>): Generator<Uint8Array> {
  yield Buffer.from(body.head);
  yield* fillChunks(body.bytes);
  yield Buffer.from(body.tail);
}
