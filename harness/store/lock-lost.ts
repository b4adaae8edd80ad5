import { checkFailed } from '../core/errors.js';

// proper-lockfile refreshes a lock it holds from a timer, and calls onCompromised there when the
// lock was lost: not refreshed within its stale time (the process stalled, e.g. suspended), or its
// folder removed or taken over by another process. Its default throws the bare error; this one
// says which lock and what to do. Either way the process stops there (the CLI reports it):
// going on could let another process work on what this one still believes it holds.
export function lockLost(what: string, lockFolder: string): (err: Error) => never {
  return (err) => {
    throw checkFailed(`lost ${what} (${lockFolder}): ${err.message}; stopping so that no work is done twice`, {
      cause: err,
      hint: 'run the command again: work that was not locked is kept as an abandoned attempt and redone; if the machine was not suspended, check that nothing removes lock folders',
    });
  };
}
