import type { Command } from 'commander';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { runsDirOption } from './options.js';

export function registerAnalyze(program: Command, _setCode: SetExitCode): void {
  program
    .command('analyze')
    .description('paired statistics as pre-registered; writes runs/<exp>/analysis/report.{json,md,html}')
    .argument('<experiment>', 'experiment id or folder')
    .option('--unblind', 'show outcomes by variant before every registered pair is locked (recorded as a deviation)')
    .option('--reason <text>', 'why you unblind (required with --unblind)')
    .addOption(runsDirOption())
    .option('--json', 'print report.json instead of the summary')
    .addHelpText('after', `
Until every registered pair is locked, the report shows only pooled progress and error rates.
Every analysis is recorded in the registry (who, when, at how many pairs); called again with
nothing new registered, it reuses the existing report and records nothing.
Examples:
  harness analyze exp-001-role-vs-goal
  harness analyze exp-001-role-vs-goal --unblind --reason "safety check after 30 pairs"`)
    .action(async (experiment: string, opts: { unblind?: boolean; reason?: string; runsDir?: string; json?: boolean }) => {
      const { analyze } = await import('../commands/analyze.js');
      const r = await analyze({ experiment, ...opts });
      // --unblind on a set with nothing blinded records nothing, its reason included: say so.
      const unneeded = opts.unblind === true && r.report.unblindReason === null ? 'note: nothing was blinded, so --unblind changed nothing and its reason was not recorded\n' : '';
      emit(r.report, opts.json, () => `${r.markdown}\n${r.upToDate ? 'up to date (nothing registered since the last analysis):' : 'wrote'} ${r.files.json}, ${r.files.markdown}, ${r.files.html}\n${unneeded}`);
    });
}
