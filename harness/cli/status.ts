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
      emit(r, opts.json, (x) => `${x.experiment} (${x.pilot ? 'pilot set, ' : ''}provider ${x.provider})\n${progressTable(x.progress, { timing: false })}${changedText(x.inputsChanged)}${unfinishedText(x.unfinished, x.runCommand)}`);
    });
}

function changedText(changes: readonly string[]): string {
  if (changes.length === 0) return '';
  return `note: the experiment changed since it was frozen; run, analyze and exclude refuse the set until the change is undone or recorded (\`harness freeze … --deviation "why"\`):\n${changes.map((c) => `  ${c}\n`).join('')}`;
}

// Left unfinished, an attempt blocks its slot: pin-and-run --init says what is left to do with it.
function unfinishedText(runIds: readonly string[], runCommand: string): string {
  if (runIds.length === 0) return '';
  return `note: ${runIds.length === 1 ? '1 attempt is' : `${runIds.length} attempts are`} neither locked nor given up (under way, or left unfinished; \`${runCommand}\` gives up each one of the slots it runs, even one being worked on by hand, and runs its slot again):\n${runIds.map((id) => `  ${id}\n`).join('')}`;
}
