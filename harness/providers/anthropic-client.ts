import Anthropic from '@anthropic-ai/sdk';

export interface RetryNotice {
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

// The SDK retries 408/409/429/5xx and connection errors itself, with backoff that honours
// retry-after. It does not say when it does, so a thin fetch wrapper watches its retry-count
// header and reports each retry with the failure that caused it, for the trace.
export function createClient(options: ClientOptions): Anthropic {
  const transport = options.fetch ?? fetch;
  let lastFailure: { cause: string; status: number | null; delayMs: number | null } = { cause: 'unknown', status: null, delayMs: null };
  const watchedFetch: typeof fetch = async (input, init) => {
    // The SDK passes a Headers object; anything else is wrapped.
    const headers = init?.headers instanceof Headers ? init.headers : new Headers(init?.headers);
    const attempt = Number(headers.get('x-stainless-retry-count') ?? '0');
    if (attempt > 0) options.onRetry({ attempt, ...lastFailure });
    try {
      const response = await transport(input, init);
      if (response.status >= 400) {
        const after = response.headers.get('retry-after-ms') ?? (Number(response.headers.get('retry-after')) * 1000 || null);
        lastFailure = { cause: `HTTP ${response.status}`, status: response.status, delayMs: after === null ? null : Number(after) };
      }
      return response;
    } catch (err) {
      lastFailure = { cause: (err as Error).name === 'AbortError' ? 'request timed out' : `connection error: ${(err as Error).message}`, status: null, delayMs: null };
      throw err;
    }
  };
  return new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    maxRetries: options.maxRetries,
    timeout: options.timeoutMs,
    fetch: watchedFetch,
  });
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
