// The statistics used by `harness analyze` and `harness power`: pure functions, each checked
// against R 4.2.2 (fixtures/make-reference.R) to 1e-9.
export { intervalLevel, type Alternative } from './alternative.js';
export { clusteredMeanDifference } from './clustered.js';
export { hodgesLehmann } from './hodges-lehmann.js';
export { holm } from './holm.js';
export { logRatio } from './log-ratio.js';
export { mcnemarExact } from './mcnemar.js';
export { mean } from './mean.js';
export { pairedOddsRatio, pairedRiskDifference } from './paired-binary.js';
export { pairedT } from './paired-t.js';
export { signFlipTest } from './permutation.js';
export { mcnemarExactPower, mcnemarExactSampleSize, mcnemarPower, mcnemarSampleSize } from './mcnemar-power.js';
export { pairedTPower, pairedTSampleSize } from './paired-t-power.js';
export { wilcoxonSignedRank } from './wilcoxon.js';
export { wilsonInterval } from './wilson.js';
