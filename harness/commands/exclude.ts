import { inputError } from '../core/errors.js';
import { exclusionEvidence } from '../audit/checks.js';
import { readRunSet, requireIntactRegistry } from '../pipeline/open-run-set.js';
import { requireUnchangedInputs } from '../pipeline/frozen-set.js';
import { appendEntry } from '../store/registry.js';

export interface ExcludeOptions {
  experiment: string;
  pairId: string;
  rule: string;
  reason: string;
  runsDir?: string;
}

export interface ExcludeResult {
  pairId: string;
  rule: string;
  seq: number;
  /** Every run of the pair was locked with a result and none had failed: made with the outcome known, the exclusion fails the audit's exclusions-registered check. */
  outcomeKnown: boolean;
}

// exclude: drop a whole pair from the analysis under one of the pre-registered exclusion rules.
// The exclusion is registered (never silent) and the audit reports exclusion rates by variant.
export async function exclude(options: ExcludeOptions): Promise<ExcludeResult> {
  const { exp, frozen, entries } = await readRunSet(options.experiment, options.runsDir);
  requireUnchangedInputs(exp, frozen);
  await requireIntactRegistry(exp.config.id, frozen);
  const rules = exp.preregistration.exclusionRules.map((r) => r.id);
  if (!rules.includes(options.rule)) throw inputError(`"${options.rule}" is not an exclusion rule of the pre-registration`, { hint: `registered rules: ${rules.join(', ') || '(none)'}` });
  if (!frozen.schedule.slots.some((s) => s.pairId === options.pairId)) throw inputError(`${options.pairId} is not a pair of the frozen schedule`, { hint: `its pairs are listed in ${frozen.files.schedule} and progress.csv (pair_id)` });
  if (options.reason.trim() === '') throw inputError('--reason must say what happened', { hint: 'e.g. --reason "the API failed on every attempt of pair-0042 (3 retried entries)"; it is registered and shown by the audit' });
  if (entries.some((e) => e.type === 'excluded' && e.data.pairId === options.pairId)) throw inputError(`${options.pairId} is already excluded`, { hint: 'an exclusion is registered once and never undone; the audit lists it with its reason' });
  const entry = await appendEntry(frozen.files.registry, exp.config.id, 'excluded', { pairId: options.pairId, rule: options.rule, reason: options.reason });
  return { pairId: options.pairId, rule: options.rule, seq: entry.seq, outcomeKnown: exclusionEvidence(entries, options.pairId, exp.config.variants.length).outcomeKnown };
}
