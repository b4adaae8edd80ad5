import { createSimSession, localFetch, releaseSimSession, requireSimServer, Simulator, type SimSessionSpec } from './sim/index.js';

/** Where a run's SDK client sends its requests, and how to let the simulator forget the run. */
export interface SimEndpoint {
  baseURL: string;
  apiKey: string;
  /** The in-process transport; undefined when requests go over HTTP to HARNESS_SIM_URL. */
  fetch?: typeof fetch;
  release(): Promise<void>;
}

// The base URL the SDK builds its request URLs from when the simulator runs in process; no socket
// is ever opened for it (the fetch below answers), so the name only shows up in diagnostics.
const IN_PROCESS_URL = 'http://harness-sim.invalid';

let local: { simulator: Simulator; fetch: typeof fetch } | undefined;

// One simulator per process, shared by every run the process makes, reached through an
// in-process fetch; or an external one (`harness sim-server`) when HARNESS_SIM_URL is set.
export async function simEndpoint(session: SimSessionSpec): Promise<SimEndpoint> {
  const external = process.env.HARNESS_SIM_URL;
  if (external) {
    const apiKey = await createSimSession(external, session);
    return { baseURL: external, apiKey, release: () => releaseSimSession(external, apiKey) };
  }
  if (local === undefined) {
    const simulator = new Simulator();
    local = { simulator, fetch: localFetch(simulator) };
  }
  const { simulator, fetch } = local;
  const apiKey = simulator.register(session);
  return { baseURL: IN_PROCESS_URL, apiKey, fetch, release: () => Promise.resolve(void simulator.release(apiKey)) };
}

/** With HARNESS_SIM_URL set, refuses (exit 2) unless a simulator answers there. */
export async function requireExternalSimulator(): Promise<void> {
  const external = process.env.HARNESS_SIM_URL;
  if (external) await requireSimServer(external);
}
