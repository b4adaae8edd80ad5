import type { Command } from 'commander';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { runsDirOption } from './options.js';

export function registerExclude(program: Command, _setCode: SetExitCode): void {
  program
    .command('exclude')
    .description('exclude a whole pair from the analysis under a pre-registered exclusion rule (registered, audited)')
    .argument('<experiment>', 'experiment id or folder')
    .requiredOption('--pair-id <id>', 'the pair to exclude')
    .requiredOption('--rule <id>', 'an exclusionRules id from preregistration.yaml')
    .requiredOption('--reason <text>', 'what happened')
    .addOption(runsDirOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Example:
  harness exclude exp-001-role-vs-goal --pair-id pair-0042 --rule infrastructure-failure --reason "API outage, 3 attempts failed"`)
    .action(async (experiment: string, opts: { pairId: string; rule: string; reason: string; runsDir?: string; json?: boolean }) => {
      const { exclude } = await import('../commands/exclude.js');
      const r = await exclude({ experiment, ...opts });
      emit(r, opts.json, (x) => `excluded ${x.pairId} under ${x.rule} (registry entry ${x.seq})\n${x.outcomeKnown ? 'note: every run of the pair was locked with a result and none had failed: made with the outcome known, this exclusion fails the audit\'s exclusions-registered check\n' : ''}`);
    });
}
