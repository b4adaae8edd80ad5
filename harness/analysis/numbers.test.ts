import { describe, expect, it } from 'vitest';
import { inputError } from '../core/errors.js';
import { attempt, levelText } from './numbers.js';

describe('attempt', () => {
  it('turns a statistic refusing its data into a note, and lets a bug through', () => {
    expect(attempt(() => 1)).toEqual({ value: 1, note: null });
    expect(attempt(() => { throw inputError('needs at least 2 pairs'); })).toEqual({ value: null, note: 'needs at least 2 pairs' });
    expect(() => attempt(() => (undefined as unknown as { x: number }).x)).toThrow(TypeError);
  });
});

describe('levelText', () => {
  it('writes a level as a percentage without rounding a fine one up to 100%', () => {
    expect([0.95, 0.9, 0.975, 1 - 0.0005, 1 - 2 * 0.00025].map(levelText)).toEqual(['95%', '90%', '97.5%', '99.95%', '99.95%']);
  });
});
