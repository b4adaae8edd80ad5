import { jsonDigest, withSelfDigest } from '../core/digest.js';
import { buildSchedule } from '../core/schedule.js';
import type { FreezeRecord, Schedule } from '../core/types/index.js';
import type { LoadedExperiment } from '../experiment/load-experiment.js';
import { runSetFiles } from '../experiment/locate.js';
import { harnessVersion } from '../documents/package-root.js';

export type ProviderName = FreezeRecord['provider'];

/**
 * The schedule an experiment's config implies (pure: same inputs, byte-identical file). A pilot
 * set runs one pair per task, drawn from a stream of its own (core/schedule.ts).
 */
export function scheduleFor(exp: LoadedExperiment, pilot = false): Schedule {
  return buildSchedule({
    experiment: exp.config.id,
    seed: exp.config.design.seed,
    tasks: exp.config.tasks,
    variants: exp.config.variants,
    pairsPerTask: pilot ? 1 : exp.config.design.pairsPerTask,
    pilot,
  });
}

export function scheduleText(schedule: Schedule): string {
  return `${JSON.stringify(schedule, null, 2)}\n`;
}

/** The freeze record for the experiment as it is on disk now. */
export function freezeRecordFor(exp: LoadedExperiment, schedule: Schedule, provider: ProviderName, now: Date, pilot = false): FreezeRecord {
  return withSelfDigest({
    schemaVersion: 1 as const,
    experiment: exp.config.id,
    frozenAt: now.toISOString(),
    harnessVersion: harnessVersion(),
    provider,
    seed: exp.config.design.seed,
    pilot,
    inputs: {
      config: { path: exp.location.configFile, digest: exp.configDigest },
      preregistration: { path: exp.preregistrationFile, digest: exp.preregistrationDigest },
      ...(exp.agent ? { agent: { path: exp.agent.dir, digest: exp.agent.digest } } : {}),
      variants: exp.variants.map((v) => ({ id: v.id, path: v.file, digest: v.digest })),
      tasks: exp.tasks.map((t) => ({
        id: t.id,
        specPath: t.specFile,
        specDigest: t.specDigest,
        workspacePath: t.workspaceDir,
        workspaceDigest: t.workspaceDigest,
        workspaceFiles: t.workspaceFiles.map((f) => ({ path: f.path, sha256: f.sha256 })),
      })),
    },
    schedule: { path: runSetFiles(exp.location.runsDir).schedule, digest: jsonDigest(schedule), slots: schedule.slots.length },
  });
}

export interface InputChange {
  what: string;
  file: string;
  frozen: string;
  now: string;
}

// What differs between two freeze records, file by file (and fixture file by fixture file),
// so a refusal can name exactly what changed.
export function inputChanges(frozen: FreezeRecord, current: FreezeRecord): InputChange[] {
  const changes: InputChange[] = [];
  const add = (what: string, file: string, a: string | undefined, b: string | undefined) => {
    if (a !== b) changes.push({ what, file, frozen: a ?? '(absent)', now: b ?? '(absent)' });
  };
  add('experiment config', current.inputs.config.path, frozen.inputs.config.digest.sha256, current.inputs.config.digest.sha256);
  add('pre-registration', current.inputs.preregistration.path, frozen.inputs.preregistration.digest.sha256, current.inputs.preregistration.digest.sha256);
  add('agent program folder', (current.inputs.agent ?? frozen.inputs.agent)?.path ?? '-', frozen.inputs.agent?.digest.sha256, current.inputs.agent?.digest.sha256);
  for (const id of idsOf(frozen.inputs.variants, current.inputs.variants)) {
    const [a, b] = [frozen.inputs.variants.find((v) => v.id === id), current.inputs.variants.find((v) => v.id === id)];
    add(`variant ${id}`, (b ?? a)!.path, a?.digest.sha256, b?.digest.sha256);
  }
  for (const id of idsOf(frozen.inputs.tasks, current.inputs.tasks)) {
    const [a, b] = [frozen.inputs.tasks.find((t) => t.id === id), current.inputs.tasks.find((t) => t.id === id)];
    add(`task ${id} spec`, (b ?? a)!.specPath, a?.specDigest.sha256, b?.specDigest.sha256);
    if (a?.workspaceDigest.sha256 !== b?.workspaceDigest.sha256) {
      for (const f of changedFixtureFiles(a?.workspaceFiles ?? [], b?.workspaceFiles ?? [])) {
        const [was, now] = [a?.workspaceFiles.find((x) => x.path === f), b?.workspaceFiles.find((x) => x.path === f)];
        // A file gone is named where it was frozen (the task may now point at another folder).
        add(`task ${id} fixture file`, `${(now === undefined ? a : b ?? a)!.workspacePath}/${f}`, was?.sha256, now?.sha256);
      }
    }
  }
  add('schedule', current.schedule.path, frozen.schedule.digest.sha256, current.schedule.digest.sha256);
  return changes;
}

/** The paths of fixture files added, removed or changed between two listings, sorted. */
export function changedFixtureFiles(frozen: readonly { path: string; sha256: string }[], now: readonly { path: string; sha256: string }[]): string[] {
  const before = new Map(frozen.map((f) => [f.path, f.sha256]));
  const after = new Map(now.map((f) => [f.path, f.sha256]));
  return [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p)).sort();
}

function idsOf(a: readonly { id: string }[], b: readonly { id: string }[]): string[] {
  return [...new Set([...a.map((x) => x.id), ...b.map((x) => x.id)])];
}
