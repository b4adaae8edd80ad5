import { inputError } from '../core/errors.js';
import { locateExperiment } from '../experiment/locate.js';
import { loadFrozenSet } from '../pipeline/frozen-set.js';
import { verifyPairs, type PairReport } from '../pipeline/verify-pairing.js';

export interface VerifyPairingOptions {
  experiment: string;
  pairIds?: string[];
  all?: boolean;
  runsDir?: string;
}

export interface VerifyPairingResult {
  ok: boolean;
  pairs: PairReport[];
}

export async function verifyPairing(options: VerifyPairingOptions): Promise<VerifyPairingResult> {
  if (!options.all && (options.pairIds ?? []).length === 0) throw inputError('say which pairs: --pair-id P (repeatable) or --all', { hint: `e.g. \`harness verify-pairing --experiment ${options.experiment}${options.runsDir === undefined ? '' : ` --runs-dir ${options.runsDir}`} --all\`` });
  const location = locateExperiment(options.experiment, { runsRoot: options.runsDir });
  const frozen = loadFrozenSet(location.runsDir, location.id);
  const pairs = await verifyPairs(frozen, options.all ? 'all' : options.pairIds!);
  return { ok: pairs.every((p) => p.ok), pairs };
}
