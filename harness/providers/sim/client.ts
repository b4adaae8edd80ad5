import { bug, inputError } from '../../core/errors.js';
import type { SimSessionSpec } from './session.js';

// What to do when no simulator answers at `url`: start one where it points (its port, when it has one).
function notThereHint(url: string): string {
  const port = URL.canParse(url) ? new URL(url).port || '8377' : '8377';
  return `start one (\`harness sim-server --port ${port}\`) and set HARNESS_SIM_URL=http://127.0.0.1:${port}, or unset HARNESS_SIM_URL to use the simulator inside the harness process`;
}

/** Refuses (exit 2) when no simulator answers at `url`: checked before a run set is touched. */
export async function requireSimServer(url: string): Promise<void> {
  const res = await request(url, '/health', { signal: AbortSignal.timeout(5000) });
  const body = (await res.json().catch(() => undefined)) as { status?: unknown } | undefined;
  if (!res.ok || body?.status !== 'ok') throw inputError(`what answers at HARNESS_SIM_URL=${url} is not a harness simulator (GET /health: HTTP ${res.status})`, { hint: notThereHint(url) });
}

// Registers one run with a simulator running elsewhere (`harness sim-server`) and returns the
// token the SDK then sends as its API key. A refused session is the script's or the config's
// fault; a simulator that is not there is the setting's; one that answers nonsense is ours.
export async function createSimSession(url: string, session: SimSessionSpec): Promise<string> {
  const res = await request(url, '/sim/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(session) });
  const body = (await res.json().catch(() => undefined)) as { token?: unknown; error?: { message?: unknown } } | undefined;
  if (res.status === 201 && typeof body?.token === 'string') return body.token;
  const message = String(body?.error?.message ?? `HTTP ${res.status}`);
  if (res.status === 400) {
    throw inputError(`the simulator refused the session: ${message}`, {
      hint: "check the task's simulator script and the experiment's simulator settings against their schemas",
    });
  }
  throw bug(`the simulator at ${url} answered ${res.status} to a session: ${message}`);
}

async function request(url: string, pathname: string, init: RequestInit): Promise<Response> {
  let endpoint: URL;
  try {
    endpoint = new URL(pathname, url);
  } catch {
    throw inputError(`HARNESS_SIM_URL is "${url}", not a URL`, { hint: notThereHint(url) });
  }
  try {
    return await fetch(endpoint, init);
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw inputError(`no simulator answers at HARNESS_SIM_URL=${url} (${cause})`, { hint: notThereHint(url), cause: err });
  }
}

/** Tells the simulator a run is over, so a long-lived server does not keep every session. */
export async function releaseSimSession(url: string, token: string): Promise<void> {
  const res = await fetch(new URL(`/sim/sessions/${encodeURIComponent(token)}`, url), { method: 'DELETE' }).catch(() => undefined);
  await res?.body?.cancel();
}
