import { InvalidArgumentError, type Command } from 'commander';
import { inputError } from '../core/errors.js';
import type { ProviderName } from '../pipeline/freeze-record.js';
import type { SandboxRequest } from '../pipeline/sandbox-mode.js';
import { emit, outcomeText } from './output.js';
import type { SetExitCode } from './program.js';
import { providerOption, runsDirOption, sandboxOption } from './options.js';

interface PinAndRunFlags {
  init?: boolean;
  execute?: boolean;
  full?: boolean;
  manifest?: string;
  provider?: ProviderName;
  experiment?: string;
  variant?: string;
  task?: string;
  seed?: number;
  pairId?: string;
  adhoc?: boolean;
  runsDir?: string;
  sandbox: SandboxRequest;
  json?: boolean;
}

// After an infrastructure failure by hand (pipeline/execute-run.ts abandonFailedAttempt).
const GIVEN_UP = 'the attempt is no result: it is registered abandoned, and pinning its slot again (--init or --full) makes a new attempt';

export function registerPinAndRun(program: Command, setCode: SetExitCode): void {
  program
    .command('pin-and-run')
    .description('run one slot: pin it (--init), run the agent (--execute), or every stage through lock (--full)')
    .option('--init', 'create the run folder and its manifest')
    .option('--execute', 'run the agent for --manifest in a fresh copy of the task workspace')
    .option('--full', 'init, validate, execute, evaluate and lock one slot')
    .option('--manifest <file>', 'manifest.json of the run (for --execute)')
    .addOption(providerOption('provider to run with; must be the run set\'s'))
    .option('--experiment <id>', 'experiment id or folder')
    .option('--variant <id>', 'variant id')
    .option('--task <id>', 'task id')
    .option('--seed <n>', 'the slot\'s seed (from the schedule)', parseSeed)
    .option('--pair-id <id>', 'pair id, e.g. pair-0001')
    .option('--adhoc', 'allow a slot that is not in the frozen schedule (marked ad hoc, never analysed)')
    .addOption(runsDirOption())
    .addOption(sandboxOption())
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples, on a run set of their own (\`harness freeze exp-001-role-vs-goal --runs-dir runs/by-hand\` first:
make full-runs has locked every slot of runs/exp-001-role-vs-goal); slot values come from its schedule.json:
  harness pin-and-run --init --experiment exp-001-role-vs-goal --runs-dir runs/by-hand \\
      --variant goal-centric --task TASK-001 --seed 2127222524 --pair-id pair-0001
  harness pin-and-run --execute --manifest runs/by-hand/exp-001-role-vs-goal/pair-0001-TASK-001-goal-centric-a1/manifest.json
  harness pin-and-run --full --experiment exp-001-role-vs-goal --runs-dir runs/by-hand \\
      --variant role-centric --task TASK-001 --seed 2127222524 --pair-id pair-0001
  harness pin-and-run --init --adhoc --experiment exp-001-role-vs-goal --runs-dir runs/by-hand \\
      --variant goal-centric --task TASK-001 --seed 7 --pair-id try-1      # a try outside the schedule`)
    .action(async (flags: PinAndRunFlags, command: Command) => {
      const stages = [flags.init, flags.execute, flags.full].filter(Boolean).length;
      if (stages !== 1) throw inputError('say which one stage to run: --init, --execute or --full', { hint: 'harness pin-and-run --help' });
      refuseUnusedFlags(command, flags.execute === true ? 'execute' : flags.full === true ? 'full' : 'init');
      if (flags.execute) {
        const { pinAndRunExecute } = await import('../commands/pin-and-run-execute.js');
        const r = await pinAndRunExecute({ manifest: required(flags.manifest, '--manifest'), provider: flags.provider });
        emit(r, flags.json, (x) => `executed ${x.runId} on ${x.provider}: ${x.stopReason} after ${x.turns} turns, ${x.toolCalls} tool calls, ${(x.wallTimeMs / 1000).toFixed(2)} s${x.infrastructureError ? `\n  infrastructure error: ${x.infrastructureError}\n  ${GIVEN_UP}` : ''}\n  trace ${x.runDir}/agent.log\n`);
        if (r.infrastructureError !== null) setCode(1);
        return;
      }
      const slot = {
        experiment: required(flags.experiment, '--experiment'),
        variant: required(flags.variant, '--variant'),
        task: required(flags.task, '--task'),
        seed: required(flags.seed, '--seed'),
        pairId: required(flags.pairId, '--pair-id'),
        adhoc: flags.adhoc, runsDir: flags.runsDir, sandbox: flags.sandbox, provider: flags.provider,
      };
      if (flags.full) {
        const { pinAndRunFull } = await import('../commands/pin-and-run-full.js');
        const r = await pinAndRunFull(slot);
        emit(r, flags.json, (x) => x.stage === 'lock'
          ? `locked ${x.runId}: ${outcomeText(x)} (${x.stopReason})\n  run ${x.runDir}\n`
          : `stopped after ${x.stage} for ${x.runId}: ${x.infrastructureError}\n  run ${x.runDir} (kept)\n  ${GIVEN_UP}\n`);
        if (r.stage !== 'lock') setCode(1);
        return;
      }
      const { pinAndRunInit } = await import('../commands/pin-and-run-init.js');
      const result = await pinAndRunInit(slot);
      emit(result, flags.json, (r) => `pinned ${r.runId}${r.adhoc ? ' (ad hoc)' : ''}, attempt ${r.attempt}, sandbox ${r.sandbox}\n  manifest ${r.manifest}\n`);
    });
}

// The flags each stage reads; any other given on the command line is refused rather than
// silently ignored (the stage and stages flags themselves are checked above).
const SLOT_FLAGS = ['experiment', 'variant', 'task', 'seed', 'pairId', 'adhoc', 'runsDir', 'sandbox', 'provider', 'json'];
const STAGE_FLAGS: Record<'init' | 'execute' | 'full', readonly string[]> = { execute: ['manifest', 'provider', 'json'], init: SLOT_FLAGS, full: SLOT_FLAGS };

function refuseUnusedFlags(command: Command, stage: keyof typeof STAGE_FLAGS): void {
  const stageFlags = new Set(['init', 'execute', 'full', ...STAGE_FLAGS[stage]]);
  const unused = command.options.filter((o) => !stageFlags.has(o.attributeName()) && command.getOptionValueSource(o.attributeName()) === 'cli');
  if (unused.length === 0) return;
  const hint = stage === 'execute'
    ? 'the manifest already pins the experiment, the slot, its run set and its sandbox; give only --manifest (and --provider, --json)'
    : '--manifest is for --execute; a slot is named with --experiment, --variant, --task, --seed and --pair-id';
  throw inputError(`--${stage} does not use ${unused.map((o) => o.long).join(', ')}`, { hint });
}

function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw inputError(`missing ${flag}`, { hint: 'harness pin-and-run --help shows every flag with an example' });
  return value;
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n > 0xffffffff) throw new InvalidArgumentError('expected an integer from 0 to 4294967295');
  return n;
}
