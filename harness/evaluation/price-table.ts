import { jsonDigest, type Digest } from '../core/digest.js';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

// The pinned price table: its digest goes into every manifest and scorecard, so a change of
// prices is visible as a change of evaluator pins. List prices per family; the 5.x entries are
// assumed to keep their family's 4.x prices until Anthropic's pricing page says otherwise.
const PRICE_TABLE: { asOf: string; currency: 'USD'; unit: 'per-million-tokens'; models: Record<string, ModelPrice> } = {
  asOf: '2026-11-23',
  currency: 'USD',
  unit: 'per-million-tokens',
  models: {
    'claude-opus-5-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    'claude-opus-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    'claude-opus-4-8': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    'claude-opus-4-7': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    'claude-opus-4-6': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    'claude-opus-4-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
    'claude-sonnet-5-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    'claude-sonnet-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
    'claude-haiku-5-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
    'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  },
};

export const PRICE_TABLE_DIGEST: Digest = jsonDigest(PRICE_TABLE);

/** The evaluator's version: bump it whenever a check or metric is computed differently. */
export const EVALUATOR_VERSION = '1.1.1';

export function priceFor(model: string): ModelPrice | undefined {
  // Dated ids (claude-haiku-4-5-20251001) price as their alias.
  return PRICE_TABLE.models[model] ?? PRICE_TABLE.models[model.replace(/-\d{8}$/, '')];
}
