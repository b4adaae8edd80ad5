import type { Command } from 'commander';
import { plural } from '../core/plural.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { providerOption, runsDirOption } from './options.js';

export function registerFreeze(program: Command, _setCode: SetExitCode): void {
  program
    .command('freeze')
    .description('validate an experiment and freeze it: freeze record, schedule, registry genesis')
    .argument('<experiment>', 'experiment id (folder under experiments/) or path')
    .addOption(runsDirOption())
    .addOption(providerOption('provider of this run set (default: the config\'s)'))
    .option('--deviation <reason>', 'accept changed inputs as a recorded deviation (the audit reports it)')
    .option('--pilot', 'freeze a pilot set (one pair per task); give it its own --runs-dir, e.g. runs/pilot')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  harness freeze exp-001-role-vs-goal
  harness freeze exp-001-role-vs-goal --provider anthropic --runs-dir runs/anthropic
  harness freeze exp-001-role-vs-goal --pilot --runs-dir runs/pilot/sim
  harness freeze exp-001-role-vs-goal --deviation "fixed a typo in TASK-003's instruction"`)
    .action(async (experiment: string, opts: { runsDir?: string; provider?: ProviderName; deviation?: string; pilot?: boolean; json?: boolean }) => {
      const { freeze } = await import('../commands/freeze.js');
      const result = await freeze({ experiment, runsDir: opts.runsDir, provider: opts.provider, deviation: opts.deviation, pilot: opts.pilot });
      emit(result, opts.json, (r) => {
        const head = {
          created: `froze ${r.pilot ? 'a pilot set of ' : ''}${r.experiment}: ${r.slots} slots, provider ${r.provider}`,
          unchanged: `${r.experiment} is already frozen with these inputs; nothing changed`,
          'deviation-recorded': `recorded a deviation and re-froze ${r.experiment} (${plural(r.changes.length, 'change')})`,
        }[r.action];
        const restored = r.scheduleRestored ? 'put back the schedule of the freeze record, which a stopped `freeze --deviation` had replaced\n' : '';
        return `${restored}${head}\n  freeze record  ${r.freezeRecord}\n  schedule       ${r.schedule}\n  registry       ${r.registry}\n`;
      });
    });
}
