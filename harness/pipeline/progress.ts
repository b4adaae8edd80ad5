import { bug } from '../core/errors.js';

export interface VariantProgress {
  variant: string;
  total: number;
  done: number;
  /** null while outcomes are blinded (see ProgressSnapshot.blinded). */
  succeeded: number | null;
  failedChecks: number | null;
  errors: number;
  retries: number;
  /** Mean agent wall time of the runs this process finished (status: of every current run); null before the first. */
  meanWallTimeSeconds: number | null;
}

// A row as it is counted: the wall times are summed, and averaged in the snapshot.
type Counts = Omit<VariantProgress, 'meanWallTimeSeconds' | 'succeeded' | 'failedChecks'> & { succeeded: number; failedChecks: number; timed: number; wallTimeSeconds: number };
type Counted = Exclude<keyof Counts, 'variant'>;

export interface ProgressSnapshot {
  /** Outcomes by variant withheld (pre-registered blinding, set not complete): only totals. */
  blinded: boolean;
  variants: VariantProgress[];
  total: Omit<VariantProgress, 'variant'>;
  elapsedSeconds: number;
  etaSeconds: number | null;
  skipped: number;
  /** Asked to stop: no further run starts, the ones under way finish. */
  stopping: boolean;
}

// Counts per variant as slots finish; the table the live view and `status` print.
export class Progress {
  private readonly rows = new Map<string, Counts>();
  private readonly started = performance.now();
  private finishedHere = 0;
  private openElsewhere = 0;
  private stopping = false;
  skipped = 0;

  /** Whether the pre-registration hides outcomes by variant until every slot is done. */
  constructor(variants: readonly string[], private readonly blindUntilComplete = false) {
    for (const variant of variants) this.rows.set(variant, { variant, total: 0, done: 0, succeeded: 0, failedChecks: 0, errors: 0, retries: 0, timed: 0, wallTimeSeconds: 0 });
  }

  /** Slots of the set left out of this table (run --only) that have no locked run yet: outcomes stay blinded while any is open. */
  setOpenOutsideSelection(count: number): void {
    this.openElsewhere = count;
  }

  stop(): void {
    this.stopping = true;
  }

  addSlot(variant: string): void {
    this.row(variant).total++;
  }

  /** A slot already complete before this process started (or completed by another one). */
  alreadyDone(variant: string, success: boolean): void {
    const r = this.row(variant);
    r.done++;
    if (success) r.succeeded++;
    else r.failedChecks++;
    this.skipped++;
  }

  finished(variant: string, success: boolean, wallTimeSeconds: number): void {
    const r = this.row(variant);
    r.done++;
    r.timed++;
    r.wallTimeSeconds += wallTimeSeconds;
    if (success) r.succeeded++;
    else r.failedChecks++;
    this.finishedHere++;
  }

  infrastructureError(variant: string): void {
    this.row(variant).errors++;
  }

  retried(variant: string): void {
    this.row(variant).retries++;
  }

  snapshot(): ProgressSnapshot {
    const counts = [...this.rows.values()];
    const sum = (k: Counted) => counts.reduce((a, r) => a + r[k], 0);
    const shown = ({ timed, wallTimeSeconds, ...r }: Omit<Counts, 'variant'>): Omit<VariantProgress, 'variant'> => ({ ...r, meanWallTimeSeconds: timed === 0 ? null : Math.round((wallTimeSeconds / timed) * 1000) / 1000 });
    const variants = counts.map((r) => ({ variant: r.variant, ...shown(r) }));
    const total = shown({ total: sum('total'), done: sum('done'), succeeded: sum('succeeded'), failedChecks: sum('failedChecks'), errors: sum('errors'), retries: sum('retries'), timed: sum('timed'), wallTimeSeconds: sum('wallTimeSeconds') });
    const elapsedSeconds = (performance.now() - this.started) / 1000;
    const remaining = total.total - total.done;
    const etaSeconds = this.finishedHere === 0 ? null : remaining === 0 ? 0 : (elapsedSeconds / this.finishedHere) * remaining;
    const blinded = this.blindUntilComplete && (total.done < total.total || this.openElsewhere > 0);
    if (blinded) {
      // The totals too: pooled over one variant (run --only variant=…) they are its outcomes, and
      // over few pairs (all failed, say) they give each variant's away.
      for (const row of [...variants, total]) { row.succeeded = null; row.failedChecks = null; }
    }
    return { blinded, variants, total, elapsedSeconds, etaSeconds: this.stopping ? null : etaSeconds, skipped: this.skipped, stopping: this.stopping };
  }

  private row(variant: string): Counts {
    const r = this.rows.get(variant);
    if (r === undefined) throw bug(`progress of unknown variant ${variant}`);
    return r;
  }
}
