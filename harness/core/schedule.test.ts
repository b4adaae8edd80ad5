import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { buildSchedule } from './schedule.js';

const input = { experiment: 'exp', seed: 20251228, tasks: ['T1', 'T2', 'T3'], variants: ['a', 'b'], pairsPerTask: 15 };

describe('buildSchedule', () => {
  it('is a pure function of its inputs', () => {
    expect(canonicalJson(buildSchedule(input))).toBe(canonicalJson(buildSchedule({ ...input })));
    expect(canonicalJson(buildSchedule({ ...input, seed: 1 }))).not.toBe(canonicalJson(buildSchedule(input)));
  });

  it('interleaves tasks round by round and keeps both runs of a pair together with one seed', () => {
    const { slots } = buildSchedule(input);
    expect(slots).toHaveLength(90);
    expect(slots.slice(0, 6).map((s) => s.task)).toEqual(['T1', 'T1', 'T2', 'T2', 'T3', 'T3']);
    for (let i = 0; i < slots.length; i += 2) {
      const [first, second] = [slots[i]!, slots[i + 1]!];
      expect(first.pairId).toBe(second.pairId);
      expect(first.seed).toBe(second.seed);
      expect(new Set([first.variant, second.variant])).toEqual(new Set(['a', 'b']));
      expect([first.position, second.position]).toEqual([1, 2]);
    }
  });

  it('randomizes the variant order within pairs', () => {
    const firsts = buildSchedule(input).slots.filter((s) => s.position === 1).map((s) => s.variant);
    const aFirst = firsts.filter((v) => v === 'a').length;
    expect(aFirst).toBeGreaterThan(10);
    expect(aFirst).toBeLessThan(35);
  });

  it('gives each pair its own seed', () => {
    const seeds = new Set(buildSchedule(input).slots.map((s) => s.seed));
    expect(seeds.size).toBe(45);
  });

  it('draws a pilot from a stream of its own: no seed of a confirmatory schedule of any size, and the generator says so', () => {
    const pilot = buildSchedule({ ...input, pairsPerTask: 1, pilot: true });
    const confirmatory = new Set(buildSchedule({ ...input, pairsPerTask: 200 }).slots.map((s) => s.seed));
    expect(pilot.slots).toHaveLength(6);
    expect(pilot.slots.filter((s) => confirmatory.has(s.seed))).toEqual([]);
    expect(pilot.generator).toMatch(/; pilot: the generator jumped ahead once \(2\^64 draws\) before the first pair$/);
    expect(canonicalJson(buildSchedule({ ...input, pairsPerTask: 1, pilot: true }))).toBe(canonicalJson(pilot));
  });
});
