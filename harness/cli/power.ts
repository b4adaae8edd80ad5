import { InvalidArgumentError, type Command } from 'commander';
import { plural } from '../core/plural.js';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';

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
    .option('--alpha <a>', 'two-sided significance level', num('--alpha'), 0.05)
    .option('--power <p>', 'target power (default 0.8) to solve for pairs', num('--power'))
    .option('--n <pairs>', 'number of pairs, to solve for power', num('--n'))
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  harness power --p10 0.25 --p01 0.08 --power 0.8     # pairs for McNemar's test (Connor 1987's approximation)
  harness power --p10 0.25 --p01 0.08 --n 90          # power with 90 pairs
  harness power --delta 1 --sd 2 --power 0.9          # as R: power.t.test(delta=1, sd=2, power=0.9, type="paired")`)
    .action(async (opts: { p10?: number; p01?: number; delta?: number; sd?: number; alpha: number; power?: number; n?: number; json?: boolean }) => {
      const { power } = await import('../commands/power.js');
      const r = power(opts);
      emit(r, opts.json, (x) => x.pairs !== null
        ? `${x.design}: ${x.pairs} pairs (n = ${x.n.toFixed(4)}) for power ${x.power} at alpha ${x.alpha}\n`
        : `${x.design}: power ${x.power.toFixed(4)} with ${plural(x.n, 'pair')} at alpha ${x.alpha}\n`);
    });
}
