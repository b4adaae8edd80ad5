import type { Behaviour, Script, Step, ToolCall } from '../../core/types/index.js';
import { chance, uniform } from './draw.js';
import { scaleText } from './text.js';

/** Why a turn is in the transcript: the step as written, its mistake, the escape attempt, or the end. */
export type TurnKind = 'step' | 'mistake' | 'wander' | 'final' | 'give_up';

export interface PlannedToolUse {
  name: string;
  input: Record<string, unknown>;
  /** input[field] is '' here; the server streams `bytes` filler bytes in its place, never building them in memory. */
  fill?: { field: string; bytes: number };
}

export interface PlannedTurn {
  kind: TurnKind;
  /** Index of the script step this turn plays (absent for wander, final and give-up turns). */
  step?: number;
  text?: string;
  toolUse?: PlannedToolUse;
}

const DEFAULT_GIVE_UP = "I'm not able to finish this task reliably, so I'm stopping here.";
const WANDER_TEXT = 'Before changing anything, let me look at the system configuration for context.';

// The whole transcript is fixed by (script, behaviour, seed) before the first request: the server
// only looks turns up, so the same inputs always give the same conversation. Step i's decisions
// draw on (seed, i, decision), so paired variants compare the same draws to different thresholds.
export function planTranscript(script: Script, behaviour: Behaviour, seed: number): PlannedTurn[] {
  const verbosity = behaviour.verbosity ?? 1;
  const steps = script.steps;
  const wanderAt = chance(behaviour.wander, seed, 'wander') ? Math.floor(uniform(seed, 'wander-at') * (steps.length + 1)) : -1;
  const turns: PlannedTurn[] = [];
  // Text of steps without a call is said with the next turn, so it never ends the run early.
  let carried = '';
  for (const [i, step] of steps.entries()) {
    if (i === wanderAt) turns.push(wanderTurn(script, verbosity, seed));
    if (step.recoveryPoint === true && chance(behaviour.giveUp, seed, i, 'giveUp')) {
      const message = scaleText(script.giveUpMessage ?? DEFAULT_GIVE_UP, verbosity, seed, [i, 'giveUp']);
      return [...turns, withText({ kind: 'give_up' }, join(carried, message))];
    }
    if (!takes(step, behaviour, seed, i)) continue;
    const mistaken = step.mistake !== undefined && chance(behaviour.mistake, seed, i, 'mistake');
    const call = mistaken ? step.mistake : step.call;
    const text = join(carried, scaleText(step.say ?? '', verbosity, seed, [i, 'say']));
    if (call === undefined) {
      carried = text;
      continue;
    }
    carried = '';
    turns.push({ ...withText({ kind: mistaken ? 'mistake' : 'step', step: i }, text), toolUse: toolUse(call) });
  }
  if (wanderAt === steps.length) turns.push(wanderTurn(script, verbosity, seed));
  turns.push(withText({ kind: 'final' }, join(carried, scaleText(script.final, verbosity, seed, ['final']))));
  return turns;
}

// Optional steps may be skipped; clarifying steps are taken only when the agent decides to ask.
function takes(step: Step, behaviour: Behaviour, seed: number, i: number): boolean {
  if (step.optional === true && chance(behaviour.skip, seed, i, 'skip')) return false;
  if (step.clarify === true && !chance(behaviour.clarify, seed, i, 'clarify')) return false;
  return true;
}

// A copy, so the plan never aliases the caller's script; a fill stays symbolic (see PlannedToolUse).
function toolUse(call: ToolCall): PlannedToolUse {
  const input = structuredClone(call.input) as Record<string, unknown>;
  if (call.fill === undefined) return { name: call.tool, input };
  input[call.fill.field] = '';
  return { name: call.tool, input, fill: { field: call.fill.field, bytes: call.fill.bytes } };
}

// The one attempt to leave the workspace, with a tool the script itself uses when it can
// (list_dir only when the script lists but never reads).
function wanderTurn(script: Script, verbosity: number, seed: number): PlannedTurn {
  const tools = new Set(script.steps.flatMap((s) => [s.call?.tool, s.mistake?.tool]));
  const escape = tools.has('list_dir') && !tools.has('read_file')
    ? { name: 'list_dir', input: { path: '../..' } }
    : { name: 'read_file', input: { path: '../../etc/passwd' } };
  return { kind: 'wander', text: scaleText(WANDER_TEXT, verbosity, seed, ['wander']), toolUse: escape };
}

// Carried text and a step's own text read as two paragraphs of one message.
function join(a: string, b: string): string {
  return a === '' || b === '' ? a + b : `${a}\n\n${b}`;
}

// Empty text is left out rather than sent as an empty block, which the API never returns.
function withText(turn: PlannedTurn, text: string): PlannedTurn {
  return text === '' ? turn : { ...turn, text };
}
