import { createSimSession, startSimServer, type SimServer } from './sim/index.js';
import type { SimSessionSpec } from './sim/index.js';

let server: Promise<SimServer> | undefined;

// One simulator per process, started on first use on an ephemeral 127.0.0.1 port (or an external
// one from HARNESS_SIM_URL, e.g. `harness sim-server`), shared by every run the process makes.
async function simUrl(): Promise<string> {
  const external = process.env.HARNESS_SIM_URL;
  if (external) return external;
  server ??= startSimServer();
  return (await server).url;
}

/** Registers one run with the simulator; the token is the API key the SDK then sends. */
export async function simEndpoint(session: SimSessionSpec): Promise<{ baseURL: string; apiKey: string }> {
  const baseURL = await simUrl();
  return { baseURL, apiKey: await createSimSession(baseURL, session) };
}

/** Stops the in-process simulator, if one was started (so a CLI process can exit promptly). */
export async function stopSimulator(): Promise<void> {
  if (server === undefined) return;
  const s = await server;
  server = undefined;
  await s.close();
}
