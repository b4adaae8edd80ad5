import type { ProgressSnapshot, VariantProgress } from '../commands/run.js';

const fmtTime = (s: number | null) => (s === null ? '-' : s < 90 ? `${s.toFixed(s < 10 ? 1 : 0)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`);

// Outcomes withheld by pre-registered blinding are null in a snapshot.
const hidden = (n: number | null): string => (n === null ? 'blind' : String(n));

/**
 * The progress table: one row per variant and a total row. `timing`: the elapsed time and ETA of a
 * running `run` (status, which runs nothing, has none).
 */
export function progressTable(p: ProgressSnapshot, { timing = true } = {}): string {
  const header = ['variant', 'done', 'ok', 'failed', 'errors', 'retries', 'avg time'];
  const row = (name: string, r: Omit<VariantProgress, 'variant'>) => {
    return [name, `${r.done}/${r.total}`, hidden(r.succeeded), hidden(r.failedChecks), String(r.errors), String(r.retries), fmtTime(r.meanWallTimeSeconds)];
  };
  const rows = [header, ...p.variants.map((v) => row(v.variant, v)), row('total', p.total)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const blindNote = p.blinded ? '(outcomes hidden until every slot is done, as pre-registered)' : '';
  const footer = timing ? [elapsedAndEta(p), blindNote] : [blindNote];
  if (footer.join('') !== '') lines.push(footer.filter((s) => s !== '').join(' '));
  if (p.stopping) lines.push(STOPPING);
  return `${lines.join('\n')}\n`;
}

export function progressLine(p: ProgressSnapshot): string {
  const t = p.total;
  const outcomes = p.blinded ? 'outcomes hidden' : `${t.succeeded} ok, ${t.failedChecks} failed checks`;
  return `${t.done}/${t.total} done, ${outcomes}, ${t.errors} errors, ${t.retries} retries, ${elapsedAndEta(p)}${p.stopping ? '; stopping' : ''}\n`;
}

// The ETA is left out until there is one (no run finished yet) and once nothing is left.
const elapsedAndEta = (p: ProgressSnapshot): string => `elapsed ${fmtTime(p.elapsedSeconds)}${p.etaSeconds === null || p.total.done === p.total.total ? '' : `, ETA ${fmtTime(p.etaSeconds)}`}`;

export const STOPPING = 'stopping: no further run starts; the runs under way finish and lock (Ctrl-C again to stop at once)';

// On a terminal the table is redrawn in place; elsewhere (CI, pipes) a plain line every few
// seconds, so logs stay readable, or with `watch` (run --watch) the whole table every few seconds.
export function startProgressView(snapshot: () => ProgressSnapshot, options: { watch: boolean }): { stop: () => void } {
  const stream = process.stderr;
  if (stream.isTTY) {
    let drawn = 0;
    const draw = () => {
      const text = progressTable(snapshot());
      stream.write(`${drawn > 0 ? `\x1b[${drawn}A\x1b[J` : ''}${text}`);
      drawn = text.split('\n').length - 1;
    };
    draw();
    const timer = setInterval(draw, 250);
    return { stop: () => { clearInterval(timer); draw(); } };
  }
  const timer = setInterval(() => stream.write(options.watch ? `${progressTable(snapshot())}\n` : progressLine(snapshot())), 5000);
  return { stop: () => clearInterval(timer) };
}
