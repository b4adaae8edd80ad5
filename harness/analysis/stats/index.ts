// The statistics used by `harness analyze` and `harness power`: pure functions, each checked
// against R 4.2.2 (fixtures/make-reference.R) to 1e-9.
export type { Alternative, Interval } from './alternative.js';
export { clopperPearsonInterval } from './clopper-pearson.js';
export { clusteredMeanDifference, type ClusteredResult } from './clustered.js';
export { hodgesLehmann, type HodgesLehmannResult } from './hodges-lehmann.js';
export { holm } from './holm.js';
export { logRatio, type LogRatioResult } from './log-ratio.js';
export { mcnemarExact, type McNemarResult } from './mcnemar.js';
export { mean } from './mean.js';
export { noncentralTCdf } from './noncentral-t.js';
export { pairedOddsRatio, pairedRiskDifference, type Estimate, type PairedTable } from './paired-binary.js';
export { oneSampleT, pairedT, type TTestOptions, type TTestResult } from './paired-t.js';
export {
  DEFAULT_DRAWS,
  EXACT_LIMIT,
  signFlipTest,
  type PermutationOptions,
  type PermutationResult,
} from './permutation.js';
export {
  mcnemarPower,
  mcnemarSampleSize,
  pairedTPower,
  pairedTSampleSize,
  type DiscordantRates,
  type PairedEffect,
} from './power.js';
export { wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.js';
export { wilsonInterval } from './wilson.js';
