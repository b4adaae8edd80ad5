import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSelfDigest } from '../core/digest.js';
import { EXAMPLE, scratchProject } from '../test-support/cli.js';
import { cli, editYaml, freezeCli, scheduleOf, slotArgs, type Slot } from './execute-support.js';

// verify-pairing on a small experiment (2 tasks, 1 pair each: 4 slots), every slot locked with
// `pin-and-run --full`: incomplete pairs fail, complete honest pairs pass, and a pair one of whose
// runs was made with another seed or another model fails naming that pin.

const RUNS = `runs/${EXAMPLE}`;
type PairReport = { pairId: string; task: string; ok: boolean; runs: { variant: string; runId: string | null }[]; problems: string[] };
type Result = { ok: boolean; pairs: PairReport[] };
type Manifest = { runId: string; seed: number; slot: { pairId: string }; variant: { id: string }; provider: { model: string }; digest: { sha256: string } };

describe('verify-pairing', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let slots: Slot[];
  const runIds = new Map<number, string>();
  let partial: Awaited<ReturnType<typeof cli>>;
  let partialOne: Awaited<ReturnType<typeof cli>>;
  let complete: Awaited<ReturnType<typeof cli>>;
  let copies = 0;

  const full = async (s: Slot) => {
    const r = await cli(['pin-and-run', '--full', ...slotArgs(s), '--json'], { cwd: project.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    runIds.set(s.index, (JSON.parse(r.stdout) as { runId: string }).runId);
  };
  const pairing = (cwd: string, args: string[]) => cli(['verify-pairing', '--experiment', EXAMPLE, ...args], { cwd });

  beforeAll(async () => {
    project = await scratchProject();
    await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => {
      doc.tasks = ['TASK-001', 'TASK-002'];
      (doc.design as { pairsPerTask: number }).pairsPerTask = 1;
    });
    await editYaml(path.join(project.expDir, 'preregistration.yaml'), (doc) => {
      doc.plannedN = { ...(doc.plannedN as object), pairsPerTask: 1, tasks: 2, minimumPairsPerTask: 1 };
    });
    await freezeCli(project.dir);
    slots = await scheduleOf(project.dir);
    expect(slots).toHaveLength(4);
    // All but the last slot, then the pairing of an incomplete set, then the last slot.
    await Promise.all(slots.slice(0, -1).map(full));
    [partial, partialOne] = await Promise.all([pairing(project.dir, ['--all']), pairing(project.dir, ['--pair-id', slots[0]!.pairId, '--json'])]);
    await full(slots.at(-1)!);
    complete = await pairing(project.dir, ['--all', '--json']);
  }, 120_000);
  afterAll(() => project.cleanup());

  /** A copy of the set in which one run's locked manifest is rewritten by `edit`, its own digest recomputed. */
  async function withEditedManifest(runId: string, edit: (m: Manifest) => void): Promise<string> {
    const dir = path.join(project.dir, 'copies', String(++copies));
    for (const sub of ['experiments', 'runs']) await fs.cp(path.join(project.dir, sub), path.join(dir, sub), { recursive: true, preserveTimestamps: true });
    const file = path.join(dir, RUNS, runId, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
    edit(manifest);
    await fs.chmod(file, 0o644);
    await fs.writeFile(file, `${JSON.stringify(withSelfDigest(manifest), null, 2)}\n`);
    await fs.chmod(file, 0o444);
    return dir;
  }

  it('on an incomplete set, --all fails (exit 1) only the pair with a run missing', () => {
    const last = slots.at(-1)!;
    expect(partial.exitCode, partial.stderr).toBe(1);
    expect(partial.stdout).toBe(`FAIL ${last.pairId} (${last.task})\n  ${last.variant}: no locked and registered run\n1/2 pairs intact\n`);
  });

  it('--pair-id for a complete pair of that set passes (exit 0)', () => {
    expect(partialOne.exitCode, partialOne.stderr).toBe(0);
    const r = JSON.parse(partialOne.stdout) as Result;
    expect(r).toEqual({ ok: true, pairs: [{ pairId: slots[0]!.pairId, task: slots[0]!.task, ok: true, runs: expect.any(Array), problems: [] }] });
    expect(r.pairs[0]!.runs.map((x) => x.runId).sort()).toEqual([runIds.get(slots[0]!.index), runIds.get(slots[1]!.index)].sort());
  });

  it('a --pair-id that is not in the schedule is bad input (exit 2), with the pairs there are', async () => {
    const r = await pairing(project.dir, ['--pair-id', 'pair-9999']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: not in the frozen schedule: pair-9999\n');
    expect(r.stderr).toMatch(/^hint: its pairs are pair-\d{4} … pair-\d{4} \(.*schedule\.json\)$/m);
    expect(r.stdout).toBe('');
  });

  it('with every slot locked, --all passes every pair (exit 0), each with both its runs', () => {
    expect(complete.exitCode, complete.stderr).toBe(0);
    const r = JSON.parse(complete.stdout) as Result;
    expect(r.ok).toBe(true);
    expect(r.pairs.map((p) => p.pairId)).toEqual([...new Set(slots.map((s) => s.pairId))]);
    for (const p of r.pairs) {
      expect(p).toMatchObject({ ok: true, problems: [] });
      const expected = slots.filter((s) => s.pairId === p.pairId).map((s) => ({ variant: s.variant, runId: runIds.get(s.index) }));
      expect(p.runs).toEqual(expected);
    }
  });

  it('a run of a pair made with another seed fails the pair (exit 1), naming the seed pin; --json lists per-pair problems', async () => {
    // a and b in schedule order: the pair's first slot is the one the others are compared with.
    const [a, b] = slots.filter((s) => s.pairId === slots[0]!.pairId);
    const dir = await withEditedManifest(runIds.get(b!.index)!, (m) => { m.seed += 1; });
    const r = await pairing(dir, ['--all', '--json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as Result;
    expect(result.ok).toBe(false);
    const bad = result.pairs.filter((p) => !p.ok);
    expect(bad.map((p) => p.pairId)).toEqual([a!.pairId]);
    // The edit itself is caught too: the manifest is no longer the one the registry locked.
    expect(bad[0]!.problems).toEqual([
      `${runIds.get(b!.index)}: manifest.json is not the manifest the registry locked (edited after locking)`,
      `${runIds.get(b!.index)}: does not match schedule slot ${b!.index} (task ${b!.task}, variant ${b!.variant}, seed ${b!.seed})`,
      `pin seed differs: ${a!.variant} has ${a!.seed}, ${b!.variant} has ${b!.seed + 1}`,
    ]);
    for (const p of result.pairs.filter((x) => x.pairId !== a!.pairId)) expect(p).toMatchObject({ ok: true, problems: [] });
  });

  it('a run of a pair made with another model fails the pair (exit 1), naming the model pin', async () => {
    const [a, b] = slots.filter((s) => s.pairId === slots[3]!.pairId);
    const dir = await withEditedManifest(runIds.get(a!.index)!, (m) => { m.provider.model = 'claude-other-model'; });
    const r = await pairing(dir, ['--all']);
    expect(r.exitCode, r.stderr).toBe(1);
    const model = JSON.stringify((JSON.parse(await fs.readFile(path.join(project.dir, RUNS, runIds.get(b!.index)!, 'manifest.json'), 'utf8')) as Manifest).provider.model);
    expect(r.stdout).toBe([
      `FAIL ${a!.pairId} (${a!.task})`,
      `  ${runIds.get(a!.index)}: manifest.json is not the manifest the registry locked (edited after locking)`,
      `  pin provider.model differs: ${a!.variant} has "claude-other-model", ${b!.variant} has ${model}`,
      '1/2 pairs intact',
      '',
    ].join('\n'));
  });

  it('a locked manifest that no longer matches its schema fails its pair (exit 1), naming the key, not a TypeError', async () => {
    const [a] = slots.filter((s) => s.pairId === slots[0]!.pairId);
    const dir = await withEditedManifest(runIds.get(a!.index)!, (m) => { delete (m as Partial<Manifest>).seed; });
    const r = await pairing(dir, ['--all']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^ {2}${runIds.get(a!.index)}: run folder unreadable \\(\\S*manifest\\.json:1:1 /: missing required key "seed"\\)$`, 'm'));
    expect(r.stdout).not.toMatch(/Cannot read properties/);
  });
});
