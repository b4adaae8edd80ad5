/** A held place: calling it gives the place back (again does nothing). */
export type Place = () => void;

/** Work prepared for an item: started once it has a place, or cancelled if it never gets one. */
export interface Job {
  start(place: Place): Promise<void>;
  cancel(): Promise<void>;
}

// Places for concurrent work, whose number shrinks when the provider rate-limits and grows back
// as requests succeed. Waiters get places in the order they asked.
export class ConcurrencyLimiter {
  private limit: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {
    this.limit = max;
  }

  backOff(): void {
    this.limit = Math.max(1, Math.floor(this.limit / 2));
  }

  recover(): void {
    if (this.limit < this.max) this.limit++;
    this.wake();
  }

  async acquire(): Promise<Place> {
    if (this.active >= this.limit || this.waiting.length > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.active--;
      this.wake();
    };
  }

  // Goes through items in order: `prepare` says what to run for an item, if anything, and works up
  // to `ahead` items ahead of the one waiting for a place (one item at a time, in order); each job
  // starts once it has a place. Waits for everything started. After a failure, or once `stop` is
  // aborted, nothing further is prepared and jobs prepared but not started are cancelled; the
  // first error is thrown once the started work is done.
  async forEach<T>(items: readonly T[], ahead: number, prepare: (item: T) => Promise<Job | undefined>, stop?: AbortSignal): Promise<void> {
    let failure: unknown;
    const fail = (err: unknown): void => { failure ??= err; };
    const goingOn = (): boolean => failure === undefined && stop?.aborted !== true;
    const started: Promise<void>[] = [];
    const prepared: Promise<Job | undefined>[] = [];
    let next = 0;
    let previous: Promise<unknown> = Promise.resolve();
    const prepareAhead = (): void => {
      while (goingOn() && next < items.length && prepared.length < ahead) {
        const item = items[next++]!;
        const job = previous.then(() => (goingOn() ? prepare(item) : undefined)).catch((err: unknown) => { fail(err); return undefined; });
        previous = job;
        prepared.push(job);
      }
    };
    prepareAhead();
    while (prepared.length > 0) {
      const job = await prepared.shift()!;
      prepareAhead();
      if (job === undefined) continue;
      if (goingOn()) {
        const place = await this.acquire();
        if (goingOn()) {
          started.push(job.start(place).catch(fail).finally(place));
          continue;
        }
        place();
      }
      started.push(job.cancel().catch(fail));
    }
    await Promise.all(started);
    if (failure !== undefined) throw failure;
  }

  // A waiter is handed the place directly (active stays counted), so nobody overtakes it.
  private wake(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
