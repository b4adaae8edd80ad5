import type { Command } from 'commander';
import type { RerunResult } from '../commands/rerun.js';
import type { SandboxRequest } from '../pipeline/sandbox-mode.js';
import { emit, outcomeText } from './output.js';
import type { SetExitCode } from './program.js';
import { runsDirOption, sandboxOption } from './options.js';

export function registerRerun(program: Command, setCode: SetExitCode): void {
  program
    .command('rerun')
    .description('make a new attempt for a locked run; the old one is kept and marked superseded with the reason')
    .argument('<run-id>', 'the locked run to redo')
    .requiredOption('--reason <text>', 'why (recorded in the registry, shown by the audit)')
    .option('--experiment <id>', 'experiment (found from the run id when omitted)')
    .addOption(runsDirOption())
    .addOption(sandboxOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Example (the audit lists every rerun as a deviation; here on the README's by-hand run set):
  harness rerun pair-0001-TASK-001-goal-centric-a1 --runs-dir runs/by-hand --reason "evaluator bug fixed (issue 12)"`)
    .action(async (runId: string, opts: { reason: string; experiment?: string; runsDir?: string; sandbox: SandboxRequest; json?: boolean }) => {
      const { rerun } = await import('../commands/rerun.js');
      const r = await rerun({ runId, ...opts });
      emit(r, opts.json, (x) => `superseded ${x.superseded}; new attempt ${x.newRunId ?? '(not locked)'}${newAttemptOutcome(x)}\n${brokenPairText(x, opts.runsDir)}`);
      setCode(r.newRunId === null ? 1 : 0);
    });
}

function newAttemptOutcome(r: RerunResult): string {
  if (r.newRunId === null) return '';
  if (r.blinded) return ` (${outcomeText(r)})`;
  return r.success === null ? '' : `: ${outcomeText(r)}`;
}

function brokenPairText(r: RerunResult, runsDir: string | undefined): string {
  return r.brokenPair.map((b) => `note: its pair is broken until ${b.partner} is redone too (\`harness rerun ${b.partner}${runsDir === undefined ? '' : ` --runs-dir ${runsDir}`} --reason "…"\`): ${b.differences.join('; ')}\n`).join('');
}
