import type { Command } from 'commander';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';

export function registerEvaluate(program: Command, _setCode: SetExitCode): void {
  program
    .command('evaluate')
    .description("run the task's checks over a run's outputs and trace; write scorecard.json and evaluation.log")
    .requiredOption('--manifest <file>', 'manifest.json (or the run folder)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Re-evaluating an unlocked run replaces its scorecard; a locked run is never touched.
Example:
  harness evaluate --manifest runs/by-hand/exp-001-role-vs-goal/pair-0001-TASK-001-goal-centric-a1/manifest.json`)
    .action(async (opts: { manifest: string; json?: boolean }) => {
      const { evaluate } = await import('../commands/evaluate.js');
      const r = await evaluate({ manifest: opts.manifest });
      emit(r, opts.json, (x) => [
        `${x.replaced ? 're-evaluated' : 'evaluated'} ${x.runId}: ${x.success ? 'success' : 'FAILED'}`,
        ...x.failedChecks.map((c) => `  failed${c.required ? '' : ' (informative)'} ${c.id}: ${c.reason}`),
        `  constraint adherence ${x.metrics.constraintAdherence}, ${x.metrics.turns} turns, ${x.metrics.totalTokens} tokens, $${x.metrics.costUsd.toFixed(4)}`,
        `  scorecard ${x.scorecard}`,
        '',
      ].join('\n'));
    });
}
