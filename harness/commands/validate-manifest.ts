import { statSync } from 'node:fs';
import type { Problem } from '../core/errors.js';
import { checkManifestFile } from '../pipeline/validate-manifest.js';
import { runFiles } from '../pipeline/load-run.js';
import type { ContextCache } from '../pipeline/experiment-context.js';

export interface ValidateManifestOptions {
  manifests: string[];
}

export interface ValidateManifestResult {
  ok: boolean;
  /** Some file could not be read as a manifest at all (exit 2 rather than 1). */
  badInput: boolean;
  manifests: { file: string; runId: string | null; ok: boolean; problems: Problem[] }[];
}

export async function validateManifests(options: ValidateManifestOptions): Promise<ValidateManifestResult> {
  const contexts: ContextCache = new Map();
  const manifests = [];
  let badInput = false;
  for (const given of options.manifests) {
    // A run folder stands for its manifest, as for evaluate and lock-run.
    const file = statSync(given, { throwIfNoEntry: false })?.isDirectory() === true ? runFiles(given).manifest : given;
    const check = await checkManifestFile(file, contexts);
    badInput ||= check.unreadable;
    manifests.push({ file, runId: check.manifest?.runId ?? null, ok: check.problems.length === 0, problems: check.problems });
  }
  return { ok: manifests.every((m) => m.ok), badInput, manifests };
}
