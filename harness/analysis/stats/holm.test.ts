import { describe, expect, it } from 'vitest';
import { expectClose, reference, shared } from './fixtures/reference.js';
import { holm } from './holm.js';

describe('holm', () => {
  it('matches p.adjust(p, "holm")', () => {
    for (const row of [...reference.holm, shared.holm]) {
      const adjusted = holm(row.p);
      expect(adjusted).toHaveLength(row.adjusted.length);
      adjusted.forEach((a, i) => expectClose(a, row.adjusted[i] as number));
    }
  });

  it('rejects values outside [0, 1]', () => {
    expect(() => holm([0.2, 1.5])).toThrow(/p-value 1/);
  });
});
