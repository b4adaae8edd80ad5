import type { AnalysisReport } from '../core/types/index.js';
import { levelText } from './numbers.js';

type Primary = NonNullable<AnalysisReport['primary']>;

const p = (x: number) => (x < 0.0001 ? x.toExponential(2) : x.toFixed(4));
const n3 = (x: number | null) => (x === null ? 'n/a' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(3));
const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

// JSON has no Infinity: b/c and its upper bound are null when c = 0, infinite if b > 0 (n/a if b = 0 too).
const oddsBound = (x: number | null, { b, c }: { b: number; c: number }) => (x === null && c === 0 && b > 0 ? '∞' : n3(x));
// With no discordant pair (b = c = 0) the odds ratio b/c is 0/0: there is no ratio and no interval.
const oddsRatioText = (pr: Primary): string => (pr.b === 0 && pr.c === 0
  ? 'odds ratio b/c undefined (no discordant pairs)'
  : `odds ratio b/c ${oddsBound(pr.oddsRatio.estimate, pr)} (${levelText(pr.confLevel)} CI ${n3(pr.oddsRatio.lower)} to ${oddsBound(pr.oddsRatio.upper, pr)})`);

// report.md: the same content as report.json, for people; every number is traceable to the JSON.
export function reportMarkdown(r: AnalysisReport): string {
  const out: string[] = [];
  if (r.simulated) out.push('> **SIMULATED**: these runs came from the offline simulator, not from Claude. The numbers exercise the pipeline; they say nothing about the model.', '');
  out.push(`# ${r.experiment}: analysis${r.pilot ? ' (PILOT set, not confirmatory)' : ''}`, '');
  out.push(`Generated ${r.generatedAt} by harness ${r.inputs.harnessVersion} from registry head sha256:${r.inputs.registryHead.sha256} (${r.inputs.registryEntries} entries) and freeze record sha256:${r.inputs.freezeDigest.sha256}.`, '');
  out.push(`**${r.plan.hypothesis.id}** (${r.plan.hypothesis.treatment} vs ${r.plan.hypothesis.control}, expected ${r.plan.hypothesis.direction}): ${r.plan.hypothesis.statement}`, '');
  const g = r.progress;
  out.push('## Progress', '', `${g.pairsComplete}/${g.pairsPlanned} pairs complete, ${g.pairsExcluded} excluded, ${g.pairsIncomplete} incomplete; ${g.runsLocked} runs locked, ${g.infrastructureFailures} infrastructure failures (error rate ${pct(g.errorRate)}), ${g.interruptedAttempts} attempts interrupted by Ctrl-C, a crash or a kill and run again (not errors).`, '');
  if (r.blinded) {
    out.push('## Outcomes withheld (blinded)', '', `Outcomes by variant are hidden until every registered pair is locked, as pre-registered. \`harness analyze ${r.experiment} --unblind --reason "…"\` (with the run set's \`--runs-dir\`, if not the default) overrides this and records the look as a deviation.`, '');
    return `${out.join('\n')}\n`;
  }
  if (r.unblindReason !== null) out.push(`> Unblinded before the planned N: ${r.unblindReason} (recorded as a deviation).`, '');
  const pr = r.primary;
  if (pr !== null) {
    out.push('## Primary outcome: task success', '');
    const level = levelText(pr.confLevel);
    out.push(`Exact McNemar (${pr.sidedness}, alpha ${pr.alpha}) on ${pr.n} pairs pooled over tasks: b = ${pr.b} (only ${r.plan.hypothesis.treatment} succeeded), c = ${pr.c} (only ${r.plan.hypothesis.control} succeeded), **p = ${p(pr.pValue)}** (mid-p ${p(pr.midPValue)}): ${pr.significant ? '**significant**' : 'not significant'} at alpha ${pr.alpha}; ${directionText(pr, r.plan.hypothesis.direction)}.`, '');
    out.push(`Risk difference ${n3(pr.riskDifference.estimate)} (${level} Newcombe CI ${n3(pr.riskDifference.lower)} to ${n3(pr.riskDifference.upper)}); ${oddsRatioText(pr)}.`);
    if (pr.clustered) out.push(`Mean paired difference ${n3(pr.clustered.mean)}, task-clustered SE ${n3(pr.clustered.se)} (naive ${n3(pr.clustered.naiveSe)}; ${pr.clustered.clusters} clusters), ${level} CI ${n3(pr.clustered.lower)} to ${n3(pr.clustered.upper)}.`);
    out.push('', intervalsText(pr.confLevel, pr.sidedness, pr.alpha));
    out.push('', `| task | pairs | b | c | risk difference (${level} CI) |`, '|---|---:|---:|---:|---|');
    for (const t of pr.perTask) out.push(`| ${t.task} | ${t.n} | ${t.b} | ${t.c} | ${t.riskDifference === null ? 'n/a (no pairs)' : `${n3(t.riskDifference.estimate)} (${n3(t.riskDifference.lower)}, ${n3(t.riskDifference.upper)})`} |`);
    out.push('', `| variant | task | success | rate (${level} Wilson CI) |`, '|---|---|---:|---|');
    for (const s of pr.successRates) out.push(`| ${s.variant} | ${s.task} | ${s.successes}/${s.n} | ${s.rate === null ? 'n/a' : `${pct(s.rate)} (${pct(s.lower)}, ${pct(s.upper)})`} |`);
    out.push('');
  }
  const first = r.secondary?.[0];
  if (r.secondary !== null && first !== undefined) {
    const level = levelText(first.confLevel);
    out.push(`## Secondary outcomes (${r.plan.secondary.test}, ${r.plan.secondary.sidedness}, ${r.plan.secondary.correction}-corrected)`, '');
    out.push(`| metric | mean treatment | mean control | difference (${level} CI) | HL shift | test: pairs, method | p | p (Holm) | ratio (${level} CI) |`, '|---|---:|---:|---|---:|---|---:|---:|---|');
    for (const s of r.secondary) {
      const ci = s.ci ? `${n3(s.meanDifference)} (${n3(s.ci.lower)}, ${n3(s.ci.upper)})` : n3(s.meanDifference);
      const ratio = s.logRatio ? `${n3(s.logRatio.ratio)} (${n3(s.logRatio.lower)}, ${n3(s.logRatio.upper)})` : '';
      out.push(`| ${s.metric} | ${n3(s.meanTreatment)} | ${n3(s.meanControl)} | ${ci} | ${n3(s.hodgesLehmann)} | ${s.test.n}, ${s.test.method} | ${p(s.test.pValue)} | ${p(s.pHolm)} | ${ratio} |`);
    }
    out.push('', `${intervalsText(first.confLevel, first.test.sidedness, r.plan.primary.alpha)} HL shift: the median of the Walsh averages of every paired difference, zeros included${first.test.name === 'wilcoxon-signed-rank' ? '; the Wilcoxon test drops pairs whose difference is zero, so its pairs can be fewer' : ''}.`);
    const notes = r.secondary.flatMap((s) => s.notes.map((n) => `- ${s.metric}: ${n}`));
    if (notes.length > 0) out.push('', ...notes);
    out.push('');
  }
  if (r.exclusions.length > 0) out.push('## Exclusions', '', ...r.exclusions.map((e) => `- ${e.pairId}: ${e.rule} (${e.reason})`), '');
  return `${out.join('\n')}\n`;
}

// Which way the discordant pairs went, against the hypothesis: a significant result opposite to it
// must not read as support.
function directionText(pr: Primary, direction: string): string {
  if (pr.favours === null) return 'the discordant pairs split evenly';
  return `${pr.favours} succeeded alone more often, ${pr.asHypothesised ? 'as hypothesised' : `opposite to the hypothesised direction (${direction})`}`;
}

function intervalsText(confLevel: number, sidedness: string, alpha: number): string {
  return sidedness === 'two-sided'
    ? `Intervals are ${levelText(confLevel)} two-sided (1 - alpha).`
    : `Intervals are ${levelText(confLevel)} two-sided (1 - 2 alpha): for the ${sidedness} test, the bound on its side is the one-sided ${levelText(1 - alpha)} bound.`;
}
