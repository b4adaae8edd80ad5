import type { Behaviour, FaultKind, Script } from '../../core/types/index.js';
import { derivedValidator } from '../../documents/schemas.js';
import { planTranscript, type PlannedTurn } from './plan.js';

/** What `POST /sim/sessions` takes: one run's script, variant behaviour, seed and fault settings. */
export interface SimSessionSpec {
  script: Script;
  behaviour: Behaviour;
  /** The run's seed (0 … 2^32-1): every decision, fault and id derives from it. */
  seed: number;
  /** The only model id this session answers to (others get 404 not_found_error, like the API). */
  model: string;
  faults?: { rate: number; kinds: FaultKind[] };
  /** Added to every /v1/messages response. */
  latencyMs?: number;
  /** How long a `timeout` fault holds its answer (default 3000 ms). */
  slowMs?: number;
  /** Which attempt of the run this is (default 1): later attempts draw their faults afresh. */
  runAttempt?: number;
}

/** A registered session: its spec, its fixed plan, and what the server has seen of it. */
export interface SimSession {
  spec: SimSessionSpec;
  plan: PlannedTurn[];
  /** Requests received per turn index, so a retry of a turn gets its own attempt number. */
  attempts: Map<number, number>;
  /** Digests of the cacheable prefixes already written to the (simulated) prompt cache. */
  cached: Set<string>;
}

// The session body is checked against the schemas the experiment and task files are written in,
// so a script the simulator accepts is exactly a script `freeze` accepts.
const TASK = 'https://harness.dev/schemas/task.schema.json';
const EXPERIMENT = 'https://harness.dev/schemas/experiment.schema.json';
const SESSION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['script', 'behaviour', 'seed', 'model'],
  properties: {
    script: { $ref: `${TASK}#/$defs/script` },
    behaviour: { $ref: `${EXPERIMENT}#/$defs/behaviour` },
    seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
    model: { type: 'string', minLength: 1 },
    faults: { type: 'object', $ref: `${EXPERIMENT}#/properties/simulator/properties/faults`, required: ['rate', 'kinds'] },
    latencyMs: { type: 'integer', minimum: 0 },
    slowMs: { type: 'integer', minimum: 0 },
    runAttempt: { type: 'integer', minimum: 1 },
  },
};

const validateSession = derivedValidator(SESSION_SCHEMA, ['task', 'experiment']);

// Problems as `path: message` lines, sent back in the 400 so the caller sees every mistake at once.
export function sessionProblems(body: unknown): string[] {
  return validateSession(body).map((p) => `${p.path ?? '/'}: ${p.message}`);
}

// The plan is made once, at registration: requests only look turns up.
export function openSession(spec: SimSessionSpec): SimSession {
  return { spec, plan: planTranscript(spec.script, spec.behaviour, spec.seed), attempts: new Map(), cached: new Set() };
}
