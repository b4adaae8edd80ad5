import type { Command } from 'commander';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { progressTable } from './progress-view.js';
import { runsDirOption } from './options.js';

export function registerStatus(program: Command, _setCode: SetExitCode): void {
  program
    .command('status')
    .description('print the progress table of a run set from its files, without running anything')
    .argument('<experiment>', 'experiment id or folder')
    .addOption(runsDirOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Example:
  harness status exp-001-role-vs-goal`)
    .action(async (experiment: string, opts: { runsDir?: string; json?: boolean }) => {
      const { status } = await import('../commands/status.js');
      const r = await status({ experiment, runsDir: opts.runsDir });
      emit(r, opts.json, (x) => `${x.experiment} (${x.pilot ? 'pilot set, ' : ''}provider ${x.provider})\n${progressTable(x.progress, { timing: false })}${changedText(x.inputsChanged)}`);
    });
}

function changedText(changes: readonly string[]): string {
  if (changes.length === 0) return '';
  return `note: the experiment changed since it was frozen; run, analyze and exclude refuse the set until the change is undone or recorded (\`harness freeze … --deviation "why"\`):\n${changes.map((c) => `  ${c}\n`).join('')}`;
}
