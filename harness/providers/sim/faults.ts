import { chance, uniform } from './draw.js';
import type { ApiFailure } from './request.js';
import type { FaultKind } from '../../core/types/index.js';
import type { SimSessionSpec } from './session.js';

// Drawn per (seed, turn, attempt at that turn): a retry of a turn gets a fresh draw, and a run's
// whole sequence of faults repeats exactly for the same seed. Both variants of a pair see the
// same faults at the same turn and attempt.
export function decideFault(spec: SimSessionSpec, turn: number, attempt: number): FaultKind | undefined {
  // A new attempt of the whole run (after an infrastructure failure) draws afresh; the first
  // attempt keeps the historical keys, so its fault sequence is unchanged.
  const at = (spec.runAttempt ?? 1) > 1 ? `${spec.runAttempt}:${attempt}` : attempt;
  const faults = spec.faults;
  if (faults === undefined || !chance(faults.rate, spec.seed, 'fault', turn, at)) return undefined;
  return faults.kinds[Math.floor(uniform(spec.seed, 'fault-kind', turn, at) * faults.kinds.length)];
}

/** The faults that are an error response; timeout and malformed answer with the real message. */
export type ErrorFault = Extract<FaultKind, 'rate_limit' | 'overloaded' | 'server_error'>;

export const isErrorFault = (kind: FaultKind): kind is ErrorFault =>
  kind === 'rate_limit' || kind === 'overloaded' || kind === 'server_error';

export const FAULT_ERRORS: Record<ErrorFault, ApiFailure> = {
  rate_limit: { status: 429, type: 'rate_limit_error', message: 'This request would exceed the rate limit (simulated fault).' },
  overloaded: { status: 529, type: 'overloaded_error', message: 'Overloaded (simulated fault).' },
  server_error: { status: 500, type: 'api_error', message: 'Internal server error (simulated fault).' },
};

// The SDK waits `retry-after-ms` when present (else `retry-after` seconds, else 0.5 s doubling):
// a short hint keeps offline runs with many faults fast while still exercising the retry path.
export const RETRY_HEADERS = { 'retry-after': '1', 'retry-after-ms': '20' } as const;
