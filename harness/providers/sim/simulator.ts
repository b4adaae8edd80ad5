import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { simId } from './draw.js';
import { decideFault, FAULT_ERRORS, isErrorFault, RETRY_HEADERS } from './faults.js';
import { errorReply, jsonReply, messageReply, truncatedReply, type SimReply } from './reply.js';
import { checkMessagesRequest, invalid } from './request.js';
import { buildMessage } from './response.js';
import { openSession, sessionProblems, type SimSession, type SimSessionSpec } from './session.js';

/** A request as any transport delivers it. */
export interface SimRequest {
  method: string;
  path: string;
  /** A header by lower-case name. */
  header(name: string): string | undefined;
  /** The body as text; undefined when it was over MAX_REQUEST_BYTES (answered 413). */
  body: string | undefined;
}

// The API refuses request bodies over 32 MB (413 request_too_large); so does the simulator, which
// also bounds what it holds in memory.
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

const DEFAULT_SLOW_MS = 3000;

// The Messages API as the simulator plays it, whatever carries the requests: the HTTP server
// (`harness sim-server`, tests) or the in-process fetch the SDK is given inside a `harness` process.
// Each run registers a session and uses its token as API key; sessions never share state.
export class Simulator {
  private readonly sessions = new Map<string, SimSession>();

  /** Opens a session for a spec the caller has already checked (in-process callers hold typed, validated documents). */
  register(spec: SimSessionSpec): string {
    const token = `sim_${randomBytes(16).toString('hex')}`;
    this.sessions.set(token, openSession(spec));
    return token;
  }

  /** Forgets a finished run's session; its token then answers 401. */
  release(token: string): boolean {
    return this.sessions.delete(token);
  }

  // Four endpoints and a 404 in the API's error shape for anything else (a wrong baseURL shows up
  // at once). `signal` cuts waits short (latency, slow-response faults): the server's stop signal,
  // or the SDK's own request signal in process.
  async handle(req: SimRequest, signal: AbortSignal): Promise<SimReply> {
    const { method, path } = req;
    if (method === 'GET' && path === '/health') return jsonReply(200, { status: 'ok', sessions: this.sessions.size });
    if (method === 'POST' && path === '/sim/sessions') return this.registerBody(req);
    if (method === 'DELETE' && path.startsWith('/sim/sessions/')) {
      return this.release(decodeURIComponent(path.slice('/sim/sessions/'.length))) ? jsonReply(200, { released: true }) : notFound(req);
    }
    if (method === 'POST' && path === '/v1/messages') return this.answer(req, signal);
    return notFound(req);
  }

  // Over HTTP the spec is untrusted: checked against the schemas `freeze` uses, every problem listed.
  private registerBody(req: SimRequest): SimReply {
    const body = parseJson(req);
    if ('status' in body) return body;
    const problems = sessionProblems(body.value);
    if (problems.length > 0) return errorReply(invalid(`invalid simulator session: ${problems.join('; ')}`), randomRequestId());
    return jsonReply(201, { token: this.register(body.value as SimSessionSpec) });
  }

  // Everything that changes session state (attempt count, cache) happens before the first await,
  // so the order requests arrive in, not timer races, decides what each one gets.
  private async answer(req: SimRequest, signal: AbortSignal): Promise<SimReply> {
    const session = this.sessions.get(tokenOf(req));
    if (session === undefined) return errorReply({ status: 401, type: 'authentication_error', message: 'invalid x-api-key or bearer token' }, randomRequestId());
    const body = parseJson(req);
    if ('status' in body) return body;
    const { spec } = session;
    const checked = checkMessagesRequest(body.value, spec.model);
    if ('status' in checked) return errorReply(checked, randomRequestId());
    const turn = checked.messages.filter((m) => m.role === 'assistant').length;
    const attempt = session.attempts.get(turn) ?? 0;
    session.attempts.set(turn, attempt + 1);
    const requestId = simId('req_sim_', spec.seed, turn, attempt);
    const fault = decideFault(spec, turn, attempt);
    const wait = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : sleep(ms, undefined, { signal }));
    if (fault !== undefined && isErrorFault(fault)) {
      await wait(spec.latencyMs ?? 0);
      return errorReply(FAULT_ERRORS[fault], requestId, RETRY_HEADERS);
    }
    const built = buildMessage(session, checked, turn, attempt);
    if (built.prefixDigest !== undefined) session.cached.add(built.prefixDigest);
    await wait((spec.latencyMs ?? 0) + (fault === 'timeout' ? (spec.slowMs ?? DEFAULT_SLOW_MS) : 0));
    if (fault === 'malformed') return truncatedReply(built, { 'request-id': requestId });
    return messageReply(built, { 'request-id': requestId });
  }
}

function notFound(req: SimRequest): SimReply {
  return errorReply({ status: 404, type: 'not_found_error', message: `${req.method} ${req.path}: not served by the simulator` }, randomRequestId());
}

// The API takes `x-api-key`; SDK 1.x sends its apiKey as `Authorization: Bearer` instead. Either works.
function tokenOf(req: SimRequest): string {
  const key = req.header('x-api-key');
  if (key !== undefined && key !== '') return key;
  return /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1] ?? '';
}

// The parsed body, or the error the API answers: too large (413) or not JSON (400).
function parseJson(req: SimRequest): { value: unknown } | SimReply {
  if (req.body === undefined) return errorReply({ status: 413, type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' }, randomRequestId());
  try {
    return { value: JSON.parse(req.body) as unknown };
  } catch (err) {
    return errorReply(invalid(`There was an error parsing the body of your request: ${(err as Error).message}`), randomRequestId());
  }
}

// Errors raised before a turn is known (auth, validation) have no deterministic id to take.
export function randomRequestId(): string {
  return `req_sim_${randomBytes(12).toString('hex')}`;
}
