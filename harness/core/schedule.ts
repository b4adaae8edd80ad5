import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Schedule, ScheduleSlot } from './types/index.js';

export interface ScheduleInput {
  experiment: string;
  seed: number;
  tasks: readonly string[];
  variants: readonly string[];
  pairsPerTask: number;
  /** A pilot draws from its own stream (below), so its seeds and orders are none of the confirmatory set's. */
  pilot?: boolean;
}

// Recorded in the schedule so anyone can regenerate it: changing the algorithm changes this.
const SCHEDULE_GENERATOR = 'harness-schedule/1: xoroshiro128plus (pure-rand 8.4.2); per pair: seed = uniformInt[0, 2^32-1], variant order = Fisher-Yates';

// A pilot's generator is jumped ahead once (2^64 draws) before its first pair: a stream that no
// confirmatory schedule of any size reaches, so a pilot never previews a confirmatory pair's seed.
const PILOT_STREAM = '; pilot: the generator jumped ahead once (2^64 draws) before the first pair';

const MAX_SEED = 0xffffffff;

/**
 * The run order of the whole experiment, a pure function of its inputs. Tasks rotate
 * (round 1: T1…Tn, round 2: T1…Tn, …) so time never lines up with a task, and the variant order
 * inside each pair is drawn at random so it never lines up with a variant.
 */
export function buildSchedule(input: ScheduleInput): Schedule {
  const rng = xoroshiro128plus(input.seed);
  if (input.pilot === true) rng.jump();
  const slots: ScheduleSlot[] = [];
  let pairNumber = 0;
  for (let round = 1; round <= input.pairsPerTask; round++) {
    for (const task of input.tasks) {
      pairNumber++;
      const pairId = `pair-${String(pairNumber).padStart(4, '0')}`;
      const seed = uniformInt(rng, 0, MAX_SEED);
      const order = shuffle([...input.variants], (max) => uniformInt(rng, 0, max));
      order.forEach((variant, i) => {
        slots.push({ index: slots.length, task, pairId, pairIndex: round, round, position: i + 1, variant, seed });
      });
    }
  }
  return {
    schemaVersion: 1,
    experiment: input.experiment,
    seed: input.seed,
    generator: input.pilot === true ? SCHEDULE_GENERATOR + PILOT_STREAM : SCHEDULE_GENERATOR,
    pairsPerTask: input.pairsPerTask,
    tasks: [...input.tasks],
    variants: [...input.variants],
    slots,
  };
}

function shuffle<T>(items: T[], randomUpTo: (max: number) => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomUpTo(i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** The run ids of a slot: deterministic, so a resumed or repeated run finds its attempts. */
export function runIdFor(slot: Pick<ScheduleSlot, 'pairId' | 'task' | 'variant'>, attempt: number): string {
  return `${slot.pairId}-${slot.task}-${slot.variant}-a${attempt}`;
}
