import type { Command } from 'commander';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { runsDirOption } from './options.js';

export function registerAudit(program: Command, setCode: SetExitCode): void {
  program
    .command('audit')
    .description('check a run set against its pre-registration: PASS/FAIL per check with evidence')
    .argument('<experiment>', 'experiment id or folder')
    .addOption(runsDirOption())
    .option('--json', 'print audit.json instead of the summary')
    .addHelpText('after', `
Writes runs/<exp>/audit/audit.json and audit.md. Exit status: 0 every check passed, 1 some check failed.
Example:
  harness audit exp-001-role-vs-goal`)
    .action(async (experiment: string, opts: { runsDir?: string; json?: boolean }) => {
      const { audit } = await import('../commands/audit.js');
      const r = await audit({ experiment, runsDir: opts.runsDir });
      emit(r.audit, opts.json, (a) => `${a.checks.map((c) => `${c.status}  ${c.id}: ${c.title}\n${c.evidence.map((e) => `        ${e}\n`).join('')}`).join('')}audit ${a.passed ? 'PASSED' : 'FAILED'}; ${r.upToDate ? 'up to date (nothing registered since):' : 'wrote'} ${r.files.json} and ${r.files.markdown}\n`);
      setCode(r.audit.passed ? 0 : 1);
    });
}
