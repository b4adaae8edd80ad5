import { bug, inputError } from '../../core/errors.js';
import type { SimSessionSpec } from './session.js';

// Registers one run with a simulator running elsewhere (`harness sim-server`) and returns the
// token the SDK then sends as its API key. A refused session is the script's or the config's
// fault; a simulator that does not answer is ours.
export async function createSimSession(url: string, session: SimSessionSpec): Promise<string> {
  let res: Response;
  try {
    res = await fetch(new URL('/sim/sessions', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(session),
    });
  } catch (err) {
    throw bug(`the simulator at ${url} did not answer`, err);
  }
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

/** Tells the simulator a run is over, so a long-lived server does not keep every session. */
export async function releaseSimSession(url: string, token: string): Promise<void> {
  const res = await fetch(new URL(`/sim/sessions/${encodeURIComponent(token)}`, url), { method: 'DELETE' }).catch(() => undefined);
  await res?.body?.cancel();
}
