// The offline simulator: a local Messages API server the real SDK talks to through `baseURL`.
export { startSimServer, type SimServer, type SimServerOptions } from './server.js';
export { createSimSession } from './client.js';
export { planTranscript, type PlannedTurn, type PlannedToolUse, type TurnKind } from './plan.js';
export type { SimSessionSpec, FaultKind } from './session.js';
export { MAX_REQUEST_BYTES } from './wire.js';
