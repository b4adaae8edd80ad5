import { describe, expect, it } from 'vitest';
import { inputError } from '../core/errors.js';
import { attempt } from './numbers.js';

describe('attempt', () => {
  it('turns a statistic refusing its data into a note, and lets a bug through', () => {
    expect(attempt(() => 1)).toEqual({ value: 1, note: null });
    expect(attempt(() => { throw inputError('needs at least 2 pairs'); })).toEqual({ value: null, note: 'needs at least 2 pairs' });
    expect(() => attempt(() => (undefined as unknown as { x: number }).x)).toThrow(TypeError);
  });
});
