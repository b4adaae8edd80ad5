import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyLength, fillChunks, type SimReply } from './reply.js';
import { MAX_REQUEST_BYTES } from './simulator.js';

// The HTTP side of the simulator: request bodies in (bounded), replies out (fills streamed).

// The body as text; undefined when it was over the limit (answered 413). Past the limit the body
// is drained, not kept.
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
  }
  return size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

// Content-length is always set: the SDK reads exactly this body, never a chunked stream. A fill
// is written in fixed chunks, waiting for drain, so 100 MB costs one 64 KiB buffer.
export async function writeReply(res: ServerResponse, reply: SimReply): Promise<void> {
  const { body } = reply;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': bodyLength(body) });
  if (body.kind === 'text') {
    res.end(body.text);
    return;
  }
  await write(res, body.head);
  for (const chunk of fillChunks(body.bytes)) {
    if (res.destroyed) return;
    await write(res, chunk);
  }
  res.end(body.tail);
}

// Resolves once the chunk is accepted, or the client has gone (then the caller stops).
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
