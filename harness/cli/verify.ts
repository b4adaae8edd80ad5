import type { Command } from 'commander';
import { formatProblem } from '../core/errors.js';
import { plural } from '../core/plural.js';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { runsDirOption } from './options.js';

export function registerVerify(program: Command, setCode: SetExitCode): void {
  program
    .command('verify')
    .description('re-hash every locked run and check the registry chain; name each tampered file or entry')
    .argument('<target>', 'experiment id or folder (its run set), a run set folder, or one run folder')
    .addOption(runsDirOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Exit status: 0 clean, 1 a problem was found.
Examples:
  harness verify exp-001-role-vs-goal
  harness verify runs/by-hand/exp-001-role-vs-goal
  harness verify runs/by-hand/exp-001-role-vs-goal/pair-0001-TASK-001-goal-centric-a1 --json`)
    .action(async (target: string, opts: { runsDir?: string; json?: boolean }) => {
      const { verify } = await import('../commands/verify.js');
      const r = await verify({ target, runsDir: opts.runsDir });
      emit(r, opts.json, (x) => x.ok
        ? `verified ${plural(x.lockedRuns, 'locked run')} and ${plural(x.registryEntries, 'registry entry')}: clean\n`
        : `${plural(x.problems.length, 'problem')} in ${x.run ?? x.runsDir}:\n${x.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}${x.hints.map((h) => `hint: ${h}\n`).join('')}`);
      setCode(r.ok ? 0 : 1);
    });
}
