import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { simId } from './draw.js';
import { decideFault, FAULT_ERRORS, isErrorFault, RETRY_HEADERS } from './faults.js';
import { checkMessagesRequest, invalid } from './request.js';
import { buildMessage } from './response.js';
import { openSession, sessionProblems, type SimSession, type SimSessionSpec } from './session.js';
import { readBody, sendError, sendJson, sendMessage, sendTruncated } from './wire.js';

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

const DEFAULT_SLOW_MS = 3000;
type Sessions = Map<string, SimSession>;

// One server serves many runs at once: each run registers a session and uses its token as API key.
export async function startSimServer(opts: SimServerOptions = {}): Promise<SimServer> {
  const sessions: Sessions = new Map();
  const stop = new AbortController();
  // Every in-flight answer waits on this one signal; many concurrent runs are normal, not a leak.
  setMaxListeners(0, stop.signal);
  const server = createServer((req, res) => {
    // A client that hung up (after its own timeout, say) is not the simulator's error.
    res.on('error', () => undefined);
    route(req, res, sessions, stop.signal).catch((err: unknown) => {
      if (stop.signal.aborted) return;
      if (!res.headersSent) sendError(res, { status: 500, type: 'api_error', message: `simulator bug: ${String(err)}` }, randomRequestId());
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

// Held responses (timeout faults, latency) are abandoned and keep-alive sockets dropped, so
// close() returns at once instead of waiting for idle clients.
async function closeServer(server: Server, stop: AbortController): Promise<void> {
  stop.abort();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

// Three endpoints and a 404 in the API's error shape for anything else (a wrong baseURL shows up at once).
async function route(req: IncomingMessage, res: ServerResponse, sessions: Sessions, signal: AbortSignal): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://sim').pathname;
  if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok', sessions: sessions.size });
  if (req.method === 'POST' && path === '/sim/sessions') return register(req, res, sessions);
  if (req.method === 'POST' && path === '/v1/messages') return answer(req, res, sessions, signal);
  req.resume();
  sendError(res, { status: 404, type: 'not_found_error', message: `${req.method ?? ''} ${path}: not served by the simulator` }, randomRequestId());
}

// Each registration plans its transcript and gets a fresh random token: sessions never share state.
async function register(req: IncomingMessage, res: ServerResponse, sessions: Sessions): Promise<void> {
  const body = await readJson(req, res);
  if (body === undefined) return;
  const problems = sessionProblems(body);
  if (problems.length > 0) return sendError(res, invalid(`invalid simulator session: ${problems.join('; ')}`), randomRequestId());
  const token = `sim_${randomBytes(16).toString('hex')}`;
  sessions.set(token, openSession(body as SimSessionSpec));
  sendJson(res, 201, { token });
}

// Everything that changes session state (attempt count, cache) happens before the first await,
// so the order requests arrive in, not timer races, decides what each one gets.
async function answer(req: IncomingMessage, res: ServerResponse, sessions: Sessions, signal: AbortSignal): Promise<void> {
  const session = sessions.get(tokenOf(req));
  if (session === undefined) {
    req.resume();
    return sendError(res, { status: 401, type: 'authentication_error', message: 'invalid x-api-key or bearer token' }, randomRequestId());
  }
  const body = await readJson(req, res);
  if (body === undefined) return;
  const { spec } = session;
  const checked = checkMessagesRequest(body, spec.model);
  if ('status' in checked) return sendError(res, checked, randomRequestId());
  const turn = checked.messages.filter((m) => m.role === 'assistant').length;
  const attempt = session.attempts.get(turn) ?? 0;
  session.attempts.set(turn, attempt + 1);
  const requestId = simId('req_sim_', spec.seed, turn, attempt);
  const fault = decideFault(spec, turn, attempt);
  const wait = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : sleep(ms, undefined, { signal }));
  if (fault !== undefined && isErrorFault(fault)) {
    await wait(spec.latencyMs ?? 0);
    return sendError(res, FAULT_ERRORS[fault], requestId, RETRY_HEADERS);
  }
  const built = buildMessage(session, checked, turn, attempt);
  if (built.prefixDigest !== undefined) session.cached.add(built.prefixDigest);
  await wait((spec.latencyMs ?? 0) + (fault === 'timeout' ? (spec.slowMs ?? DEFAULT_SLOW_MS) : 0));
  if (fault === 'malformed') return sendTruncated(res, built, { 'request-id': requestId });
  return sendMessage(res, built, { 'request-id': requestId });
}

// The API takes `x-api-key`; SDK 1.x sends its apiKey as `Authorization: Bearer` instead. Either works.
function tokenOf(req: IncomingMessage): string {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key !== '') return key;
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
}

// Undefined once an error has been sent: too large (413) or not JSON (400), as the API answers.
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const text = await readBody(req);
  if (text === undefined) {
    sendError(res, { status: 413, type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' }, randomRequestId());
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    sendError(res, invalid(`There was an error parsing the body of your request: ${(err as Error).message}`), randomRequestId());
    return undefined;
  }
}

// Errors raised before a turn is known (auth, validation) have no deterministic id to take.
function randomRequestId(): string {
  return `req_sim_${randomBytes(12).toString('hex')}`;
}
