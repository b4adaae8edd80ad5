import { InvalidArgumentError, type Command } from 'commander';
import type { RunResult } from '../commands/run.js';
import { plural } from '../core/plural.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import type { SandboxRequest } from '../pipeline/sandbox-mode.js';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import { progressTable, startProgressView, STOPPING } from './progress-view.js';
import { providerOption, runsDirOption, sandboxOption } from './options.js';

export function registerRun(program: Command, setCode: SetExitCode): void {
  program
    .command('run')
    .description('execute the frozen schedule: pin, validate, execute, evaluate and lock every slot not yet locked')
    .argument('<experiment>', 'experiment id or folder')
    .option('-j, --jobs <n>', 'runs at once', parseJobs, 4)
    .addOption(providerOption('must match the run set (freeze pins it)'))
    .option('--only <filter>', 'just these slots: task=ID, variant=ID, pair=ID, or keys together, e.g. pair=pair-0007,variant=ID for one slot (repeat for more)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--watch', 'where stderr is not a terminal, print the progress table every 5 s instead of a one-line summary (on a terminal the table is always redrawn in place)')
    .addOption(runsDirOption())
    .addOption(sandboxOption())
    .option('--json', 'print a final summary object as JSON')
    .addHelpText('after', `
Slots already locked (and verifying) are skipped, so a second run is a no-op; a run folder that
was never locked (crash, kill -9) is kept, marked abandoned, and its slot gets a new attempt.
Ctrl-C (or SIGTERM) stops starting runs and lets the ones under way finish and lock; Ctrl-C again stops at once.
Exit status: 0 every slot locked (and verifying), 1 otherwise (see the completeness gate line).
Examples:
  harness run exp-001-role-vs-goal -j 8
  harness run exp-001-role-vs-goal --only task=TASK-003,variant=goal-centric
  harness run exp-001-role-vs-goal --only task=TASK-001 --only task=TASK-002
  harness run exp-001-role-vs-goal --only pair=pair-0007,variant=role-centric
  HARNESS_SIM_URL=http://127.0.0.1:8377 harness run exp-001-role-vs-goal --json`)
    .action(async (experiment: string, opts: { jobs: number; provider?: ProviderName; only: string[]; runsDir?: string; sandbox: SandboxRequest; watch?: boolean; json?: boolean }) => {
      const { run } = await import('../commands/run.js');
      let view: { stop: () => void } | undefined;
      // Ctrl-C, or SIGTERM (what `timeout`, `kill` and `docker stop` send): no further run starts,
      // the runs under way finish and lock (their agents' work is kept); a second signal meets
      // Node's default and stops the process at once.
      const stop = new AbortController();
      const interrupted = (): void => {
        // The next signal of either kind meets Node's default.
        process.removeListener('SIGINT', interrupted);
        process.removeListener('SIGTERM', interrupted);
        stop.abort();
        // On a terminal the live table says so (a line written here would upset its redrawing).
        if (!process.stderr.isTTY) process.stderr.write(`${STOPPING}\n`);
      };
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      try {
        const { watch = false, ...options } = opts;
        const r = await run({ ...options, experiment, stop: stop.signal, onStart: (snapshot) => { view = startProgressView(snapshot, { watch }); } });
        view?.stop();
        view = undefined;
        emit(r, opts.json, summaryText);
        setCode(r.complete ? 0 : 1);
      } finally {
        process.removeListener('SIGINT', interrupted);
        process.removeListener('SIGTERM', interrupted);
        view?.stop();
      }
    });
}

function summaryText(r: RunResult): string {
  const earlier = r.pinnedBeforeRefreeze.length;
  const refrozen = earlier === 0 ? '' : `note: ${earlier === 1 ? '1 of these locked runs was' : `${earlier} of these locked runs were`} pinned before the set was re-frozen (a recorded deviation); they stand as they were made, and the audit lists them. To redo a pair under the new freeze, rerun both its runs: \`harness rerun <run-id> --reason "…"\``;
  if (r.executed === 0 && r.complete) return `${[`${r.upToDate}/${r.slots} up to date`, refrozen].filter((l) => l !== '').join('\n')}\n`;
  const lines = [
    progressTable({ ...r.progress, stopping: false }).trimEnd(),
    `executed ${plural(r.executed, 'run')}: ${r.locked} locked, ${r.infrastructureFailures} infrastructure failures, ${plural(r.retries, 'retry')}, ${plural(r.abandoned, 'attempt')} registered abandoned`,
    r.lastFailure === null ? '' : `last infrastructure failure: ${r.lastFailure}`,
    r.stopped ? 'stopped on request (Ctrl-C or SIGTERM): no further run was started, and the runs already under way were let finish' : '',
    r.notVerified.length > 0 ? `locked runs that do not verify (not re-run; see \`${r.verifyCommand}\`): ${r.notVerified.join(', ')}` : '',
    refrozen,
    gateLine(r),
  ];
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

function gateLine(r: RunResult): string {
  if (r.incomplete.length > 0) {
    return `completeness gate: INCOMPLETE, ${r.incomplete.length} of ${r.slots} slots not locked: ${r.incomplete.slice(0, 5).join(', ')}${r.incomplete.length > 5 ? ', …' : ''} (run again to ${r.stopped ? 'finish' : 'retry'} them)`;
  }
  const broken = r.notVerified.length;
  if (broken > 0) return `completeness gate: FAILED, ${r.slots}/${r.slots} slots locked but ${broken === 1 ? '1 of them does' : `${broken} of them do`} not verify (listed above)`;
  return `completeness gate: ${r.slots}/${r.slots} slots locked`;
}

function parseJobs(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 256) throw new InvalidArgumentError('expected a number of jobs from 1 to 256');
  return n;
}
