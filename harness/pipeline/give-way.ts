// Local work that can wait (evaluating and locking a run whose agent is done) gives way to the
// agents still running: each `giveWay()` resolves on a later turn of the event loop, one waiter per
// turn, so the timers and I/O callbacks that carry the agents' model calls forward run between any
// two pieces of it instead of queueing behind a burst of them. (Pinning ahead does not give way: a
// pin late by a few turns leaves a place empty; bench/README.md.)
const waiting: (() => void)[] = [];

export function giveWay(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(letOneThrough);
  });
}

// An immediate queued while immediates run waits for the next turn of the loop.
function letOneThrough(): void {
  waiting.shift()!();
  if (waiting.length > 0) setImmediate(letOneThrough);
}
