import { describe, expect, it } from 'vitest';
import { clusteredMeanDifference } from './clustered.js';
import { expectClose, reference } from './fixtures/reference.js';

describe('clusteredMeanDifference', () => {
  it('matches the CR0 sandwich SE of an intercept-only model clustered by task (computed in R)', () => {
    for (const row of reference.clustered) {
      const r = clusteredMeanDifference(row.d, row.clusters);
      expectClose(r.mean, row.mean);
      expectClose(r.se, row.se);
      expectClose(r.naiveSe, row.naive_se);
      expectClose(r.lower, row.lower);
      expectClose(r.upper, row.upper);
      expect(r.clusters).toBe(row.n_clusters);
      expect(r.n).toBe(row.d.length);
    }
  });

  it('with one pair per cluster is the naive SE with n in place of n − 1', () => {
    const d = [0.3, -0.1, 0.5, 0.2];
    const r = clusteredMeanDifference(d, ['a', 'b', 'c', 'd']);
    expectClose(r.se, r.naiveSe * Math.sqrt(3 / 4));
  });

  it('rejects mismatched labels', () => {
    expect(() => clusteredMeanDifference([1, 2], ['a'])).toThrow(/cluster labels/);
  });
});
