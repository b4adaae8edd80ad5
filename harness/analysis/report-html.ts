import type { AnalysisReport } from '../core/types/index.js';
import { levelText } from './numbers.js';

type Primary = NonNullable<AnalysisReport['primary']>;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));
const COLORS = ['#2b6cb0', '#dd6b20', '#2f855a', '#9b2c2c'];

// report.html: one self-contained file (inline CSS and SVG, no scripts, nothing fetched), so it
// can be archived with the run set and opened anywhere.
export function reportHtml(r: AnalysisReport, markdownBody: string): string {
  const banner = r.simulated ? '<div class="banner">SIMULATED: these runs came from the offline simulator, not from Claude. The numbers exercise the pipeline; they say nothing about the model.</div>' : '';
  const level = r.primary === null ? '' : levelText(r.primary.confLevel);
  const charts = r.primary === null ? '' : `<h2>Success per variant per task (${level} Wilson CI)</h2>${successChart(r.primary)}<h2>Paired risk difference, ${esc(r.plan.hypothesis.treatment)} − ${esc(r.plan.hypothesis.control)} (${level} Newcombe CI)</h2>${forestPlot(r.primary)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.experiment)}: analysis</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1a202c}
.banner{background:#fed7d7;border:2px solid #c53030;color:#742a2a;font-weight:700;padding:.75em 1em;margin-bottom:1em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #cbd5e0;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
pre{white-space:pre-wrap;background:#f7fafc;padding:1em;border:1px solid #e2e8f0}.meta{color:#4a5568;font-size:13px}svg{display:block;margin:1em 0}</style></head>
<body>${banner}<h1>${esc(r.experiment)}: analysis${r.pilot ? ' (pilot)' : ''}</h1>
<p class="meta">Generated ${esc(r.generatedAt)} from registry head sha256:${r.inputs.registryHead.sha256} (${r.inputs.registryEntries} entries) and freeze record sha256:${r.inputs.freezeDigest.sha256}; harness ${esc(r.inputs.harnessVersion)}.</p>
${charts}
<h2>Full report</h2><pre>${esc(markdownBody)}</pre>
</body></html>
`;
}

function successChart(pr: Primary): string {
  const tasks = [...new Set(pr.successRates.map((s) => s.task))];
  const variants = [...new Set(pr.successRates.map((s) => s.variant))];
  const W = 900, H = 300, left = 50, bottom = 40, top = 20;
  const groupW = (W - left) / tasks.length;
  const barW = Math.min(40, (groupW * 0.7) / variants.length);
  const y = (v: number) => top + (1 - v) * (H - top - bottom);
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) parts.push(`<line x1="${left}" x2="${W}" y1="${y(t)}" y2="${y(t)}" stroke="#e2e8f0"/><text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t * 100}%</text>`);
  tasks.forEach((task, ti) => {
    const gx = left + ti * groupW + (groupW - barW * variants.length) / 2;
    variants.forEach((variant, vi) => {
      const s = pr.successRates.find((r) => r.task === task && r.variant === variant)!;
      const x = gx + vi * barW;
      // A task with no analysable pair has no rate: no bar, no whiskers.
      if (s.rate === null || s.lower === null || s.upper === null) return;
      parts.push(`<rect x="${x}" y="${y(s.rate)}" width="${barW - 4}" height="${y(0) - y(s.rate)}" fill="${COLORS[vi % COLORS.length]}"><title>${esc(variant)} ${esc(task)}: ${s.successes}/${s.n}</title></rect>`);
      const cx = x + (barW - 4) / 2;
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(s.upper)}" y2="${y(s.lower)}" stroke="#1a202c"/><line x1="${cx - 4}" x2="${cx + 4}" y1="${y(s.upper)}" y2="${y(s.upper)}" stroke="#1a202c"/><line x1="${cx - 4}" x2="${cx + 4}" y1="${y(s.lower)}" y2="${y(s.lower)}" stroke="#1a202c"/>`);
    });
    parts.push(`<text x="${left + ti * groupW + groupW / 2}" y="${H - bottom + 18}" text-anchor="middle" font-size="12">${esc(task)}</text>`);
  });
  const legend = variants.map((v, i) => `<rect x="${left + i * 160}" y="${H - 14}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${left + i * 160 + 18}" y="${H - 4}" font-size="12">${esc(v)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 10}" role="img" aria-label="success rates">${parts.join('')}${legend}</svg>`;
}

function forestPlot(pr: Primary): string {
  const rows = [...pr.perTask.map((t) => ({ label: `${t.task} (n=${t.n})`, estimate: t.riskDifference })), { label: `pooled (n=${pr.n})`, estimate: pr.riskDifference }];
  const W = 900, rowH = 26, left = 200, right = 180, top = 20;
  const H = top + rows.length * rowH + 30;
  const x = (v: number) => left + ((v + 1) / 2) * (W - left - right);
  const parts: string[] = [`<line x1="${x(0)}" x2="${x(0)}" y1="${top - 10}" y2="${H - 25}" stroke="#a0aec0" stroke-dasharray="4 3"/>`];
  for (const t of [-1, -0.5, 0, 0.5, 1]) parts.push(`<text x="${x(t)}" y="${H - 8}" text-anchor="middle" font-size="11">${t}</text>`);
  rows.forEach((r, i) => {
    const cy = top + i * rowH + rowH / 2;
    const pooled = i === rows.length - 1;
    parts.push(`<text x="${left - 10}" y="${cy + 4}" text-anchor="end" font-size="12"${pooled ? ' font-weight="700"' : ''}>${esc(r.label)}</text>`);
    const rd = r.estimate;
    if (rd === null) {
      parts.push(`<text x="${W - right + 10}" y="${cy + 4}" font-size="12">n/a (no pairs)</text>`);
      return;
    }
    parts.push(`<line x1="${x(rd.lower)}" x2="${x(rd.upper)}" y1="${cy}" y2="${cy}" stroke="#1a202c" stroke-width="2"/>`);
    parts.push(pooled ? `<polygon points="${x(rd.estimate) - 7},${cy} ${x(rd.estimate)},${cy - 7} ${x(rd.estimate) + 7},${cy} ${x(rd.estimate)},${cy + 7}" fill="#c53030"/>` : `<rect x="${x(rd.estimate) - 5}" y="${cy - 5}" width="10" height="10" fill="#2b6cb0"/>`);
    parts.push(`<text x="${W - right + 10}" y="${cy + 4}" font-size="12">${f(rd.estimate)} (${f(rd.lower)}, ${f(rd.upper)})</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="forest plot">${parts.join('')}</svg>`;
}
