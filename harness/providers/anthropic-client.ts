import Anthropic from '@anthropic-ai/sdk';
import { inputError, type HarnessError } from '../core/errors.js';

interface RetryNotice {
  attempt: number;
  cause: string;
  status: number | null;
  delayMs: number | null;
}

export interface ClientOptions {
  apiKey: string;
  baseURL?: string;
  /** The transport (default: the global fetch); the in-process simulator passes its own. */
  fetch?: typeof fetch;
  maxRetries: number;
  timeoutMs: number;
  onRetry: (notice: RetryNotice) => void;
}

/** One run's access to the Messages API. */
export interface RunClient {
  createMessage(body: Anthropic.MessageCreateParamsNonStreaming, signal: AbortSignal): Promise<{ message: Anthropic.Message; requestId: string | null }>;
}

// What a run's requests carry to the fetch wrapper below (in the request's fetch options, which the
// SDK hands to fetch as they are): who hears about its retries, and the failure seen last.
interface RunWatch {
  onRetry: (notice: RetryNotice) => void;
  lastFailure: { cause: string; status: number | null; delayMs: number | null };
}
const WATCH = 'harnessRunWatch';

// Building an SDK client costs about as much as a simulated request (it sets up every API resource),
// so runs share one per transport and settings. What is a run's own goes with each request: its API
// key (the simulator gives every run a session key of its own) as the request's x-api-key header,
// and its retry reporting in the fetch options.
const clients = new Map<typeof fetch, Map<string, Anthropic>>();

export function createClient(options: ClientOptions): RunClient {
  const transport = options.fetch ?? fetch;
  const settings = `${options.baseURL ?? ''}\0${options.maxRetries}\0${options.timeoutMs}`;
  const byTransport = clients.get(transport) ?? new Map<string, Anthropic>();
  clients.set(transport, byTransport);
  let client = byTransport.get(settings);
  if (client === undefined) {
    client = new Anthropic({
      apiKey: options.apiKey,
      ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
      maxRetries: options.maxRetries,
      timeout: options.timeoutMs,
      fetch: watchedFetch(transport),
    });
    byTransport.set(settings, client);
  }
  const shared = client;
  const watch: RunWatch = { onRetry: options.onRetry, lastFailure: { cause: 'unknown', status: null, delayMs: null } };
  const requestOptions: Anthropic.RequestOptions = { headers: { 'x-api-key': options.apiKey }, fetchOptions: { [WATCH]: watch } as Anthropic.RequestOptions['fetchOptions'] };
  return {
    async createMessage(body, signal) {
      const { data, request_id } = await shared.messages.create(body, { ...requestOptions, signal }).withResponse();
      return { message: data, requestId: request_id ?? null };
    },
  };
}

// The SDK retries 408/409/429/5xx and connection errors itself, with backoff that honours
// retry-after. It does not say when it does, so this wrapper watches its retry-count header and
// reports each retry with the failure that caused it, for the run's trace.
function watchedFetch(transport: typeof fetch): typeof fetch {
  return async (input, init) => {
    const { [WATCH]: watch, ...rest } = (init ?? {}) as RequestInit & { [WATCH]?: RunWatch };
    // The SDK passes a Headers object; anything else is wrapped.
    const headers = rest.headers instanceof Headers ? rest.headers : new Headers(rest.headers);
    const attempt = Number(headers.get('x-stainless-retry-count') ?? '0');
    if (attempt > 0) watch?.onRetry({ attempt, ...watch.lastFailure });
    try {
      const response = await transport(input, rest);
      if (response.status >= 400 && watch !== undefined) {
        const after = response.headers.get('retry-after-ms') ?? (Number(response.headers.get('retry-after')) * 1000 || null);
        watch.lastFailure = { cause: `HTTP ${response.status}`, status: response.status, delayMs: after === null ? null : Number(after) };
      }
      return response;
    } catch (err) {
      if (watch !== undefined) watch.lastFailure = { cause: (err as Error).name === 'AbortError' ? 'request timed out' : `connection error: ${(err as Error).message}`, status: null, delayMs: null };
      throw err;
    }
  };
}

/** Whether an error from a request is the infrastructure's fault (worth another try). */
export function isTransient(err: unknown): boolean {
  if (err instanceof Anthropic.APIConnectionError) return true;
  if (err instanceof Anthropic.APIError) {
    const status = err.status ?? 0;
    return status === 408 || status === 409 || status === 429 || status >= 500;
  }
  // A body that is not JSON (cut off, garbled) surfaces as a SyntaxError from the SDK.
  return err instanceof SyntaxError;
}

export function describeError(err: unknown): { message: string; status: number | null; requestId: string | null } {
  if (err instanceof Anthropic.APIError) {
    return { message: err.message, status: err.status ?? null, requestId: err.requestID ?? null };
  }
  return { message: `${(err as Error).name}: ${(err as Error).message}`, status: null, requestId: null };
}

/**
 * A refusal of the credentials themselves (HTTP 401 or 403): every other run would get the same
 * answer, so it is not a failure of one run to retry but the end of the whole `run`. Undefined for
 * any other error.
 */
export function credentialsRefused(err: unknown): HarnessError | undefined {
  if (!(err instanceof Anthropic.AuthenticationError || err instanceof Anthropic.PermissionDeniedError)) return undefined;
  return inputError(`the Messages API refused the credentials (HTTP ${err.status}: ${err.message}); no further run is started`, {
    hint: 'check ANTHROPIC_API_KEY (see .env.example) and what the key may use, then run again: the attempts cut short stay unlocked, and the next `harness run` registers them as abandoned and runs their slots',
  });
}

/**
 * Where requests to Claude go: ANTHROPIC_BASE_URL (a gateway or proxy), else the API's own address,
 * as the SDK chooses. Refuses (exit 2) a value that is not an http(s) address.
 */
export function anthropicBaseUrl(): string {
  const given = process.env.ANTHROPIC_BASE_URL;
  if (given === undefined || given === '') return 'https://api.anthropic.com';
  if (!URL.canParse(given) || !['http:', 'https:'].includes(new URL(given).protocol)) {
    throw inputError(`ANTHROPIC_BASE_URL is "${given}", which is not an http(s) address`, { hint: 'set it to the address of the API or of your gateway, e.g. https://api.anthropic.com, or unset it' });
  }
  return given;
}

/** The API key for Claude, from the environment; refuses (exit 2) with what to do when it is not set. */
export function requireApiKey(): string {
  const key = process.env.ANTHROPIC_API_KEY;
  if (key === undefined || key === '') {
    throw inputError('provider anthropic needs ANTHROPIC_API_KEY, which is not set', {
      hint: 'export ANTHROPIC_API_KEY=… (see .env.example); to work offline, use a run set frozen for the simulator instead (`make full-runs PROVIDER=sim` makes one in runs/)',
    });
  }
  return key;
}
