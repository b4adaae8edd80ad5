import { jsonDigest, sameDigest, selfDigestMatches, type Digest } from '../core/digest.js';
import { HarnessError, type Problem } from '../core/errors.js';
import { findSecrets } from '../core/secrets.js';
import type { Manifest } from '../core/types/index.js';
import { loadJson } from '../documents/load.js';
import { documentProblems } from '../documents/validate.js';
import { fromProject } from '../experiment/locate.js';
import { contextOf, type ContextCache, type ExperimentContext } from './experiment-context.js';
import { changedFixtureFiles } from './freeze-record.js';
import { pinsSlot, slotOf, toolsDigestFor } from './manifest.js';
import { existsSync } from 'node:fs';

export interface ManifestCheck {
  file: string;
  manifest: Manifest | undefined;
  problems: Problem[];
  /** True when the file could not be read as a manifest at all (bad input, exit 2). */
  unreadable: boolean;
}

// Schema first, then meaning: the manifest's own digest, no secrets, and every pinned digest
// against what is on disk now. Problems are collected, never thrown, so all are reported at once.
export async function checkManifestFile(file: string, contexts: ContextCache): Promise<ManifestCheck> {
  let doc;
  try {
    doc = loadJson(file);
  } catch (err) {
    return { file, manifest: undefined, problems: problemsOf(err), unreadable: true };
  }
  const schema = documentProblems('manifest', doc);
  if (schema.length > 0) return { file, manifest: undefined, problems: schema, unreadable: false };
  const manifest = doc.data as Manifest;
  const problems: Problem[] = [];
  const at = (p: string, message: string) => problems.push({ file, path: p, message });
  if (!selfDigestMatches(manifest)) at('/digest', `does not match the manifest's content (now ${jsonDigest({ ...manifest, digest: undefined }).sha256.slice(0, 12)}…): the manifest was edited after it was written`);
  for (const s of findSecrets(manifest, [process.env.ANTHROPIC_API_KEY ?? ''])) at(s.path, `contains ${s.what}; secrets never go into a manifest`);
  if (!existsSync(fromProject(manifest.experiment.path))) {
    at('/experiment/path', `experiment folder ${manifest.experiment.path} not found: paths in a manifest are relative to the project it was pinned in (the folder holding experiments/); run harness inside that project`);
    return { file, manifest, problems, unreadable: true };
  }
  let ctx: ExperimentContext;
  try {
    ctx = await contextOf(manifest, contexts);
  } catch (err) {
    problems.push(...problemsOf(err));
    return { file, manifest, problems, unreadable: false };
  }
  problems.push(...pinProblems(file, manifest, ctx));
  return { file, manifest, problems, unreadable: false };
}

/** Each pin of the manifest that no longer matches the experiment on disk, named. */
function pinProblems(file: string, m: Manifest, { exp, frozen }: ExperimentContext): Problem[] {
  const problems: Problem[] = [];
  const pin = (p: string, what: string, pinned: Digest, now: Digest | undefined, source: string) => {
    if (!sameDigest(pinned, now)) problems.push({ file, path: p, message: `${what} changed: pinned sha256:${pinned.sha256.slice(0, 12)}…, ${source} is now ${now ? `sha256:${now.sha256.slice(0, 12)}…` : 'missing'}` });
  };
  pin('/experiment/configDigest', 'experiment config', m.experiment.configDigest, exp.configDigest, exp.location.configFile);
  pin('/experiment/preregistrationDigest', 'pre-registration', m.experiment.preregistrationDigest, exp.preregistrationDigest, exp.preregistrationFile);
  pin('/experiment/freezeDigest', 'freeze record', m.experiment.freezeDigest, frozen.record.digest, frozen.files.freezeRecord);
  pin('/experiment/scheduleDigest', 'schedule', m.experiment.scheduleDigest, frozen.record.schedule.digest, frozen.files.schedule);
  const variant = exp.variants.find((v) => v.id === m.variant.id);
  pin('/variant/promptDigest', `variant ${m.variant.id} prompt`, m.variant.promptDigest, variant?.digest, variant?.file ?? `variant ${m.variant.id}`);
  const task = exp.tasks.find((t) => t.id === m.task.id);
  pin('/task/specDigest', `task ${m.task.id} spec`, m.task.specDigest, task?.specDigest, task?.specFile ?? `task ${m.task.id}`);
  if (task !== undefined) {
    pin('/variant/toolsDigest', 'tool definitions', m.variant.toolsDigest, toolsDigestFor(task), 'harness\'s tool definitions');
    if (!sameDigest(m.task.workspaceDigest, task.workspaceDigest)) {
      const frozenFiles = frozen.record.inputs.tasks.find((t) => t.id === task.id)?.workspaceFiles ?? [];
      const changed = changedFixtureFiles(frozenFiles, task.workspaceFiles);
      problems.push({ file, path: '/task/workspaceDigest', message: `task ${task.id} fixture workspace changed: ${changed.map((f) => `${task.workspaceDir}/${f}`).join(', ') || task.workspaceDir}` });
    }
  }
  if (!m.adhoc) {
    if (!pinsSlot(m, slotOf(m, frozen.schedule.slots))) problems.push({ file, path: '/slot', message: `slot ${String(m.slot.index)} (${m.slot.pairId}, ${m.task.id}, ${m.variant.id}, seed ${m.seed}) is not in the frozen schedule` });
  }
  const programDigest = m.provider.command?.programDigest;
  if (programDigest) pin('/provider/command/programDigest', 'agent program folder', programDigest, exp.agent?.digest, exp.agent?.dir ?? 'the agent folder');
  if (m.provider.name !== frozen.record.provider) problems.push({ file, path: '/provider/name', message: `provider ${m.provider.name}, but the run set was frozen for ${frozen.record.provider}` });
  return problems;
}

function problemsOf(err: unknown): Problem[] {
  if (err instanceof HarnessError) {
    // The message names its own file (the manifest, or the experiment file that failed to load).
    const head: Problem = { message: err.message + (err.hint ? ` (${err.hint})` : '') };
    return [head, ...err.problems];
  }
  throw err;
}
