import { describe, expect, it } from 'vitest';
import type { Behaviour, Script } from '../../core/types/index.js';
import { planTranscript, type PlannedTurn } from './plan.js';

const script: Script = {
  steps: [
    { say: 'Let me look at the files.', call: { tool: 'list_dir', input: { path: '.' } } },
    { say: 'Is the output format fixed?', call: { tool: 'ask_clarification', input: { question: 'Format?' } }, clarify: true },
    { call: { tool: 'read_file', input: { path: 'a.txt' } }, optional: true },
    { say: 'Now I write the result.', call: { tool: 'write_file', input: { path: 'out.txt', content: 'ok' } }, mistake: { tool: 'write_file', input: { path: 'a.txt', content: 'oops' } }, recoveryPoint: true },
    { call: { tool: 'read_file', input: { path: 'out.txt' } }, mistake: { tool: 'read_file', input: { path: 'missing.txt' } }, optional: true },
    { say: 'Checking the listing once more.' },
    { call: { tool: 'list_dir', input: { path: '.' } }, mistake: { tool: 'list_dir', input: { path: 'nope' } } },
  ],
  final: 'Done: out.txt holds the result.',
  giveUpMessage: 'I give up.',
};

const kinds = (plan: PlannedTurn[]): string[] => plan.map((t) => t.kind);
const count = (plan: PlannedTurn[], kind: string): number => plan.filter((t) => t.kind === kind).length;
const optionalTaken = (plan: PlannedTurn[]): number => plan.filter((t) => t.step === 2 || t.step === 4).length;

describe('planTranscript', () => {
  it('gives the same plan for the same inputs', () => {
    const behaviour: Behaviour = { skip: 0.5, mistake: 0.5, clarify: 0.5, wander: 0.5, verbosity: 2 };
    for (const seed of [0, 1, 42, 4294967295]) {
      expect(planTranscript(script, behaviour, seed)).toEqual(planTranscript(script, behaviour, seed));
    }
  });

  it('plays every step and ends with the final message when all probabilities are 0', () => {
    const plan = planTranscript(script, {}, 7);
    expect(kinds(plan)).toEqual(['step', 'step', 'step', 'step', 'step', 'final']);
    expect(plan.map((t) => t.step)).toEqual([0, 2, 3, 4, 6, undefined]);
    expect(plan[0]).toEqual({ kind: 'step', step: 0, text: 'Let me look at the files.', toolUse: { name: 'list_dir', input: { path: '.' } } });
    // The call-less step 5 is said with the next turn rather than ending the run.
    expect(plan[4]?.text).toBe('Checking the listing once more.');
    expect(plan.at(-1)).toEqual({ kind: 'final', text: 'Done: out.txt holds the result.' });
  });

  it('takes clarifying steps, mistakes and give-ups at probability 1', () => {
    expect(planTranscript(script, { clarify: 1 }, 3).some((t) => t.toolUse?.name === 'ask_clarification')).toBe(true);
    const erring = planTranscript(script, { mistake: 1 }, 3);
    expect(erring.filter((t) => t.kind === 'mistake').map((t) => t.step)).toEqual([3, 4, 6]);
    expect(erring.find((t) => t.step === 3)?.toolUse?.input).toEqual({ path: 'a.txt', content: 'oops' });
    const quitting = planTranscript(script, { giveUp: 1 }, 3);
    expect(kinds(quitting)).toEqual(['step', 'step', 'give_up']);
    expect(quitting.at(-1)?.text).toBe('I give up.');
  });

  it('wanders out of the workspace exactly once at probability 1', () => {
    for (const seed of [1, 2, 3]) {
      const wanders = planTranscript(script, { wander: 1 }, seed).filter((t) => t.kind === 'wander');
      expect(wanders).toHaveLength(1);
      expect(String(wanders[0]?.toolUse?.input.path)).toMatch(/^\.\.\//);
    }
  });

  it('scales text with verbosity, deterministically', () => {
    const base = planTranscript(script, {}, 5)[0]?.text ?? '';
    const long = planTranscript(script, { verbosity: 4 }, 5)[0]?.text ?? '';
    const short = planTranscript(script, { verbosity: 0.5 }, 5)[0]?.text ?? '';
    expect(long.startsWith(base)).toBe(true);
    expect(long.length).toBeGreaterThanOrEqual(base.length * 4);
    expect(long.length).toBeLessThan(base.length * 4 + 80);
    expect(short.length).toBeLessThanOrEqual(Math.round(base.length / 2));
    expect(short.length).toBeGreaterThan(0);
  });

  it('keeps a fill symbolic instead of building the bytes', () => {
    const big: Script = { steps: [{ call: { tool: 'write_file', input: { path: 'big.txt', content: 'x' }, fill: { field: 'content', bytes: 100_000_000 } } }], final: 'done' };
    const [turn] = planTranscript(big, {}, 1);
    expect(turn?.toolUse).toEqual({ name: 'write_file', input: { path: 'big.txt', content: '' }, fill: { field: 'content', bytes: 100_000_000 } });
    expect(big.steps[0]?.call?.input.content).toBe('x');
  });

  it('pairs variants: the same draws against different thresholds', () => {
    const careful: Behaviour = { mistake: 0.1, skip: 0.1 };
    const sloppy: Behaviour = { mistake: 0.6, skip: 0.6 };
    let mistakes = [0, 0];
    let skipped = [0, 0];
    for (let seed = 0; seed < 15; seed++) {
      const a = planTranscript(script, careful, seed);
      const b = planTranscript(script, sloppy, seed);
      // Correlated: a step the careful variant gets wrong, the sloppy one gets wrong too (if it takes it).
      const taken = new Set(b.map((t) => t.step));
      const wrong = (p: PlannedTurn[]): number[] => p.filter((t) => t.kind === 'mistake' && taken.has(t.step)).map((t) => t.step ?? -1);
      expect(wrong(b)).toEqual(expect.arrayContaining(wrong(a)));
      expect(optionalTaken(b)).toBeLessThanOrEqual(optionalTaken(a));
      mistakes = [mistakes[0]! + count(a, 'mistake'), mistakes[1]! + count(b, 'mistake')];
      skipped = [skipped[0]! + 2 - optionalTaken(a), skipped[1]! + 2 - optionalTaken(b)];
    }
    expect(mistakes[1]! - mistakes[0]!).toBeGreaterThanOrEqual(5);
    expect(skipped[1]! - skipped[0]!).toBeGreaterThanOrEqual(5);
  });
});
