import type { Digest } from '../core/digest.js';
import type { AnalysisReport, Preregistration } from '../core/types/index.js';
import type { Dataset } from './dataset.js';
import { primaryAnalysis } from './primary.js';
import { secondaryAnalysis } from './secondary.js';

export interface ReportContext {
  experiment: string;
  provider: string;
  pilot: boolean;
  tasks: readonly string[];
  seed: number;
  registryHead: Digest;
  registryEntries: number;
  freezeDigest: Digest;
  harnessVersion: string;
  now: Date;
}

/**
 * The report, following the pre-registration. Blinded (outcomes by variant withheld, only pooled
 * progress and error rates shown) unless every registered pair is in or the user unblinds.
 */
export function buildReport(data: Dataset, prereg: Preregistration, ctx: ReportContext, blinded: boolean, unblindReason: string | null): AnalysisReport {
  const h = prereg.hypotheses[0]!;
  const secondaryPlan = prereg.secondaryOutcomes;
  const attempts = data.runsLocked + data.infrastructureFailures;
  return {
    schemaVersion: 2,
    experiment: ctx.experiment,
    generatedAt: ctx.now.toISOString(),
    simulated: ctx.provider === 'sim',
    provider: ctx.provider,
    pilot: ctx.pilot,
    inputs: { registryHead: ctx.registryHead, registryEntries: ctx.registryEntries, freezeDigest: ctx.freezeDigest, harnessVersion: ctx.harnessVersion },
    plan: {
      hypothesis: { id: h.id, statement: h.statement, treatment: h.treatment, control: h.control, direction: h.direction },
      primary: { test: prereg.primaryOutcome.test, sidedness: prereg.primaryOutcome.sidedness, alpha: prereg.primaryOutcome.alpha },
      secondary: { test: secondaryPlan.test, sidedness: secondaryPlan.sidedness ?? 'two-sided', correction: secondaryPlan.correction, metrics: [...secondaryPlan.metrics], logRatio: [...(secondaryPlan.logRatio ?? [])] },
    },
    blinded,
    unblindReason,
    progress: {
      pairsPlanned: data.pairsPlanned,
      pairsComplete: data.pairs.length,
      pairsExcluded: data.excluded.length,
      pairsIncomplete: data.incomplete.length,
      runsLocked: data.runsLocked,
      infrastructureFailures: data.infrastructureFailures,
      interruptedAttempts: data.interrupted,
      errorRate: attempts === 0 ? 0 : data.infrastructureFailures / attempts,
    },
    primary: blinded || data.pairs.length === 0 ? null : primaryAnalysis(data.pairs, ctx.tasks, h, prereg.primaryOutcome.sidedness, prereg.primaryOutcome.alpha),
    secondary: blinded || data.pairs.length < 2 ? null : secondaryAnalysis(data.pairs, secondaryPlan, prereg.primaryOutcome.alpha, ctx.seed),
    exclusions: data.excluded,
  };
}
