// Local work that can wait (evaluating, locking and pinning ahead) gives way to the agents' model
// calls: each `giveWay()` resolves on a later turn of the event loop, one waiter per turn, so the
// timers and I/O callbacks that carry the agents forward run between any two pieces of it instead
// of queueing behind a burst of them.
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
