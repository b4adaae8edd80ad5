import type { Command } from 'commander';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { runsDirOption } from './options.js';

export function registerVerifyPairing(program: Command, setCode: SetExitCode): void {
  program
    .command('verify-pairing')
    .description('check pairs: both runs locked and registered, identical pins except the variant, as scheduled')
    .requiredOption('--experiment <id>', 'experiment id or folder')
    .option('--pair-id <id>', 'a pair to check (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--all', 'check every pair of the schedule')
    .addOption(runsDirOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Exit status: 0 all pairs intact, 1 a pair failed (the differing pin is named).
Examples:
  harness verify-pairing --experiment exp-001-role-vs-goal --pair-id pair-0001
  harness verify-pairing --experiment exp-001-role-vs-goal --all --json`)
    .action(async (opts: { experiment: string; pairId: string[]; all?: boolean; runsDir?: string; json?: boolean }) => {
      const { verifyPairing } = await import('../commands/verify-pairing.js');
      const r = await verifyPairing({ experiment: opts.experiment, pairIds: opts.pairId, all: opts.all, runsDir: opts.runsDir });
      emit(r, opts.json, (x) => {
        const bad = x.pairs.filter((p) => !p.ok);
        const lines = bad.flatMap((p) => [`FAIL ${p.pairId} (${p.task})`, ...p.problems.map((m) => `  ${m}`)]);
        return `${[...lines, `${x.pairs.length - bad.length}/${x.pairs.length} pairs intact`].join('\n')}\n`;
      });
      setCode(r.ok ? 0 : 1);
    });
}
