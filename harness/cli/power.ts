import { InvalidArgumentError, type Command } from 'commander';
import { plural } from '../core/plural.js';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';
import type { PowerResult } from '../commands/power.js';
import type { Alternative } from '../analysis/stats/alternative.js';
import { sidednessOption } from './options.js';

const num = (name: string) => (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

export function registerPower(program: Command, _setCode: SetExitCode): void {
  program
    .command('power')
    .description('sample size or power for a paired design, to fill in the pre-registration\'s planned N')
    .option('--p10 <p>', 'expected P(treatment succeeds, control fails)', num('--p10'))
    .option('--p01 <p>', 'expected P(control succeeds, treatment fails)', num('--p01'))
    .option('--delta <d>', 'expected mean paired difference of a continuous metric', num('--delta'))
    .option('--sd <s>', 'expected SD of the paired differences', num('--sd'))
    .option('--alpha <a>', 'significance level', num('--alpha'), 0.05)
    .addOption(sidednessOption("the test's, as the pre-registration gives it (greater: the treatment better)"))
    .option('--power <p>', 'target power (default 0.8) to solve for pairs', num('--power'))
    .option('--n <pairs>', 'number of pairs, to solve for power (a whole number for --p10/--p01)', num('--n'))
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  harness power --p10 0.25 --p01 0.08 --power 0.8     # pairs for the exact McNemar test (and Connor 1987's approximation)
  harness power --p10 0.25 --p01 0.08 --n 90          # power with 90 pairs
  harness power --p10 0.25 --p01 0.08 --sidedness greater  # a one-sided test of the treatment doing better
  harness power --delta 1 --sd 2 --power 0.9          # as R: power.t.test(delta=1, sd=2, power=0.9, type="paired")`)
    .action(async (opts: { p10?: number; p01?: number; delta?: number; sd?: number; alpha: number; sidedness: Alternative; power?: number; n?: number; json?: boolean }) => {
      const { power } = await import('../commands/power.js');
      emit(power(opts), opts.json, powerText);
    });
}

function powerText(x: PowerResult): string {
  const answer = x.pairs !== null
    ? `${x.design}: ${x.pairs} pairs ${x.connor === null ? `(n = ${x.n.toFixed(4)}) ` : ''}for power ${x.power} at alpha ${x.alpha}, ${x.sidedness}`
    : `${x.design}: power ${x.power.toFixed(4)} with ${plural(x.n, 'pair')} at alpha ${x.alpha}, ${x.sidedness}`;
  if (x.connor === null) return `${answer}\n`;
  const approximation = x.pairs !== null
    ? `${Math.ceil(x.connor.n)} pairs (n = ${x.connor.n.toFixed(4)})`
    : `power ${x.connor.power.toFixed(4)}`;
  return [
    x.pairs !== null ? `${answer} (power ${x.achievedPower.toFixed(4)}; the smallest N that reaches it: exact power is not always monotone in N)` : answer,
    `Connor (1987) normal approximation, which most tools use: ${approximation}`,
  ].join('\n') + '\n';
}
