import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorReply } from './reply.js';
import { randomRequestId, Simulator } from './simulator.js';
import { readBody, writeReply } from './wire.js';

export interface SimServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is never reachable from another machine unless asked. */
  host?: string;
}

export interface SimServer {
  /** Base URL for the SDK's `baseURL`, e.g. http://127.0.0.1:39123 */
  url: string;
  port: number;
  /** Stops listening, drops open connections and abandons held responses. */
  close(): Promise<void>;
}

// The simulator over HTTP: `harness sim-server`, and any client that is not a harness process.
export async function startSimServer(opts: SimServerOptions = {}): Promise<SimServer> {
  const simulator = new Simulator();
  const stop = new AbortController();
  // Every in-flight answer waits on this one signal; many concurrent runs are normal, not a leak.
  setMaxListeners(0, stop.signal);
  const server = createServer((req, res) => {
    // A client that hung up (after its own timeout, say) is not the simulator's error.
    res.on('error', () => undefined);
    serve(simulator, req, res, stop.signal).catch((err: unknown) => {
      if (stop.signal.aborted) return;
      if (!res.headersSent) void writeReply(res, errorReply({ status: 500, type: 'api_error', message: `simulator bug: ${String(err)}` }, randomRequestId()));
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, port, close: () => closeServer(server, stop) };
}

async function serve(simulator: Simulator, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const body = await readBody(req);
  const reply = await simulator.handle({
    method: req.method ?? 'GET',
    path: new URL(req.url ?? '/', 'http://sim').pathname,
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    body,
  }, signal);
  await writeReply(res, reply);
}

// Held responses (timeout faults, latency) are abandoned and keep-alive sockets dropped, so
// close() returns at once instead of waiting for idle clients.
async function closeServer(server: Server, stop: AbortController): Promise<void> {
  stop.abort();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
