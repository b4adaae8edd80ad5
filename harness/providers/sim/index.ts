// The offline simulator: the Messages API played from each task's script, which the real SDK
// talks to either in process (a fetch it is given) or over HTTP through `baseURL`.
export { startSimServer, type SimServer, type SimServerOptions } from './server.js';
export { Simulator } from './simulator.js';
export { localFetch } from './local-fetch.js';
export { createSimSession, releaseSimSession, requireSimServer } from './client.js';
export type { SimSessionSpec } from './session.js';
