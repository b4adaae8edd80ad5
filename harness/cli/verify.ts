import type { Command } from 'commander';
import { formatProblem, type Problem } from '../core/errors.js';
import { plural } from '../core/plural.js';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { runsDirOption } from './options.js';

// What to do next, for the kinds of problem found: the registry is restored, never rewritten; a
// changed run is restored or redone, and a redone run stays on record (verify names it still, the
// audit fails, for readers to see).
function nextStep(problems: readonly Problem[]): string {
  const about = (re: RegExp) => problems.some((p) => re.test(p.file ?? ''));
  const inRegistry = about(/registry\.jsonl$/);
  const inFreeze = about(/(experiment\.lock\.json|schedule\.json)$/);
  const inRuns = problems.some((p) => !/(registry\.jsonl|registry\.csv|violations\.log|experiment\.lock\.json|schedule\.json)$/.test(p.file ?? ''));
  return [
    inRegistry ? 'hint: the registry is append-only: restore registry.jsonl from a backup (a last line cut off by a crash: see its line above)\n' : '',
    inFreeze ? 'hint: restore the freeze record and schedule from a backup (the schedule regenerates from the config: `harness freeze` on a copy)\n' : '',
    inRuns ? 'hint: a changed locked run is never repaired in place: restore its files from a copy, or redo it with `harness rerun <run-id> --reason "…"`; the changed run is kept, marked superseded, and still named here and by the audit\n' : '',
  ].join('');
}

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
        : `${plural(x.problems.length, 'problem')} in ${x.run ?? x.runsDir}:\n${x.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}${nextStep(x.problems)}`);
      setCode(r.ok ? 0 : 1);
    });
}
