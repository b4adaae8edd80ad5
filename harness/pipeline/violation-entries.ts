import type { EntryOf } from '../core/entries.js';
import type { Scorecard } from '../core/types/index.js';
import { OUTPUT_RULES } from '../evaluation/output-violations.js';

// What the seed's violations.log recorded: sandbox refusals and what the evaluator found left in
// the outputs (critical when they lead out of the workspace), and runs stopped by their time
// limit, each with the action taken.
export function violationEntries(runId: string, scorecard: Scorecard): EntryOf<'violation'>['data'][] {
  const entries: EntryOf<'violation'>['data'][] = scorecard.violations.map((v) => {
    const how = OUTPUT_RULES.includes(v.rule) ? 'Found in the outputs by the evaluator' : 'Refused by the sandbox';
    return {
      runId, severity: v.critical ? 'critical' : 'non-critical', rule: v.rule, message: v.message,
      action: v.critical ? `${how}; run kept and flagged for review` : `${how}; documented, run kept`,
      status: v.critical ? 'Needs review' : 'Noted',
    };
  });
  if (scorecard.stopReason === 'wall_time') {
    entries.push({ runId, severity: 'non-critical', rule: 'timeout', message: `timeout reached (${scorecard.metrics.wallTimeSeconds} s)`, action: 'Documented, included in analysis with its stop reason', status: 'Noted' });
  }
  return entries;
}
