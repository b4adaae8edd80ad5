import type { Command } from 'commander';
import { emit, outcomeText } from './output.js';
import type { SetExitCode } from './program.js';

export function registerLockRun(program: Command, _setCode: SetExitCode): void {
  program
    .command('lock-run')
    .description('hash a run, write lock.json and SHA256SUMS, make it read-only, register it')
    .argument('<run>', 'run folder or its manifest.json')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Locking a locked run verifies it and changes nothing. Check a lock with coreutils alone:
  cd runs/by-hand/exp-001-role-vs-goal/pair-0001-TASK-001-goal-centric-a1 && sha256sum -c SHA256SUMS
Example:
  harness lock-run runs/by-hand/exp-001-role-vs-goal/pair-0001-TASK-001-goal-centric-a1`)
    .action(async (run: string, opts: { json?: boolean }) => {
      const { lockRun } = await import('../commands/lock-run.js');
      const r = await lockRun({ run });
      const said = { locked: 'locked', 'already-locked': 'already locked and verified; nothing changed:', registered: 'verified and registered the existing lock of', 'violations-registered': 'already locked and verified; registered the violations its registry entries lacked:' }[r.action];
      emit(r, opts.json, (x) => `${said} ${x.runId}: ${outcomeText(x)} (root sha256:${x.rootDigest.sha256})\n`);
    });
}
