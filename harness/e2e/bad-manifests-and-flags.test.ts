import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, editFile as edit, filesUnder, harness, scratchProject, slotFlags } from '../test-support/cli.js';

// Broken manifests, run sets, environment settings and command-line flags, on one frozen example
// set: each must give exit 2 (or 1 for a failed check), a message naming what is wrong and what to
// do, and nothing written that was not asked for. Broken experiment inputs are in bad-input.test.ts.

describe('broken manifests and flags', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let manifest: string;
  beforeAll(async () => {
    project = await scratchProject();
    expect((await harness(['freeze', EXAMPLE], { cwd: project.dir })).exitCode).toBe(0);
    const r = await harness(['pin-and-run', '--init', ...(await slotFlags(project.dir, 0)), '--json'], { cwd: project.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    manifest = path.join(project.dir, (JSON.parse(r.stdout) as { manifest: string }).manifest);
  });
  afterAll(() => project.cleanup());

  const variantOf = async (fn: (m: Record<string, unknown>) => void, name: string) => {
    const m = JSON.parse(await fs.readFile(manifest, 'utf8')) as Record<string, unknown>;
    fn(m);
    const file = path.join(project.dir, name);
    await fs.writeFile(file, JSON.stringify(m, null, 2));
    return file;
  };

  it('a manifest with a wrong digest fails (exit 1) naming the path', async () => {
    const file = await variantOf((m) => { (m as { seed: number }).seed = 1; }, 'edited.json');
    const r = await harness(['validate-manifest', file], { cwd: project.dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/edited\.json \/digest: does not match the manifest's content/);
    expect(r.stdout).toMatch(/edited\.json \/slot: .* is not in the frozen schedule/);
  });

  it('a manifest holding a secret fails (exit 1)', async () => {
    const file = await variantOf((m) => { (m.provider as Record<string, unknown>).requestParams = { model: 'x', max_tokens: 1, metadata: { note: 'sk-ant-api03-abcdefghijklmnop' } }; }, 'secret.json');
    const r = await harness(['validate-manifest', file], { cwd: project.dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/secret\.json \/provider\/requestParams\/metadata\/note: contains what looks like an Anthropic API key/);
  });

  it('a file that is not JSON is bad input (exit 2) with line and column', async () => {
    const file = path.join(project.dir, 'broken.json');
    await fs.writeFile(file, '{\n  "schemaVersion": 1,\n  oops\n}\n');
    const r = await harness(['validate-manifest', file], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    // The problem names the file once, with its line and column.
    expect(r.stdout).toMatch(/^ {2}\S*broken\.json:3:\d+: not valid JSON/m);
  });

  it('a manifest missing pins fails the schema (exit 1) naming each', async () => {
    const file = await variantOf((m) => { delete m.environment; (m as { extra?: number }).extra = 1; }, 'incomplete.json');
    const r = await harness(['validate-manifest', file], { cwd: project.dir });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/incomplete\.json:1:1 \/: missing required key "environment"/);
    expect(r.stdout).toMatch(/incomplete\.json:\d+:\d+ \/extra: unknown key "extra"/);
  });

  it('pin-and-run refuses a flag its stage does not use (exit 2) instead of ignoring it, and checks --provider at --init', async () => {
    const before = await filesUnder(path.join(project.dir, 'runs'));
    const [execute, init, provider] = await Promise.all([
      harness(['pin-and-run', '--execute', '--manifest', manifest, '--sandbox', 'none', '--runs-dir', 'elsewhere'], { cwd: project.dir }),
      harness(['pin-and-run', '--init', '--manifest', manifest, ...(await slotFlags(project.dir, 1))], { cwd: project.dir }),
      harness(['pin-and-run', '--init', '--provider', 'anthropic', ...(await slotFlags(project.dir, 1))], { cwd: project.dir }),
    ]);
    expect(execute.exitCode).toBe(2);
    expect(execute.stderr).toMatch(/^error: --execute does not use --runs-dir, --sandbox\nhint: the manifest already pins the experiment, the slot, its run set and its sandbox/);
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toMatch(/^error: --init does not use --manifest\nhint: --manifest is for --execute/);
    expect(provider.exitCode).toBe(2);
    expect(provider.stderr).toMatch(/^error: exp-001-role-vs-goal's run set in runs\/exp-001-role-vs-goal was frozen for provider sim, not anthropic/);
    expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
  });

  it('flags that would be ignored or lead nowhere are refused (exit 2) with what to do', async () => {
    const [reasonOnly, rerunPath, notFrozen] = await Promise.all([
      harness(['analyze', EXAMPLE, '--reason', 'why'], { cwd: project.dir }),
      harness(['rerun', `runs/${EXAMPLE}/pair-0001-TASK-001-goal-centric-a1`, '--reason', 'r'], { cwd: project.dir }),
      harness(['run', EXAMPLE, '--provider', 'anthropic', '--runs-dir', 'runs/anth'], { cwd: project.dir }),
    ]);
    expect(reasonOnly.exitCode).toBe(2);
    expect(reasonOnly.stderr).toMatch(/^error: --reason goes with --unblind$/m);
    expect(rerunPath.exitCode).toBe(2);
    expect(rerunPath.stderr).toMatch(/^error: rerun takes a run id, not a path: runs\/exp-001-role-vs-goal\/pair-0001-TASK-001-goal-centric-a1\nhint: pass the run folder's name, e\.g\. pair-0001-TASK-001-goal-centric-a1/m);
    expect(notFrozen.exitCode).toBe(2);
    expect(notFrozen.stderr).toContain(`hint: run \`harness freeze ${EXAMPLE} --provider anthropic --runs-dir runs/anth\` first`);
  });

  it('verify takes a run set by its folder and checks that set, not the default one', async () => {
    await fs.cp(path.join(project.dir, 'runs', EXAMPLE), path.join(project.dir, 'runs', 'copy', EXAMPLE), { recursive: true });
    await edit(path.join(project.dir, 'runs', 'copy', EXAMPLE, 'schedule.json'), (t) => t.replace(/"seed": (\d+)/, (_, n: string) => `"seed": ${Number(n) + 1}`));
    const copy = await harness(['verify', `runs/copy/${EXAMPLE}`], { cwd: project.dir });
    expect(copy.exitCode).toBe(1);
    expect(copy.stdout + copy.stderr).toContain(`runs/copy/${EXAMPLE}/schedule.json: edited: does not match the digest in the freeze record`);
    expect((await harness(['verify', `runs/${EXAMPLE}`], { cwd: project.dir })).exitCode).toBe(0);
  });

  it('a folder that is not an experiment, or a run set inside the experiment, is refused (exit 2) before anything is written', async () => {
    const before = await filesUnder(project.dir);
    const notExperiment = await harness(['status', './experiments'], { cwd: project.dir });
    expect(notExperiment.exitCode).toBe(2);
    expect(notExperiment.stderr).toMatch(/^error: experiments is not an experiment folder: it has no experiment\.yaml$/m);
    const inside = await harness(['freeze', EXAMPLE, '--runs-dir', 'runs'], { cwd: project.expDir });
    expect(inside.exitCode).toBe(2);
    expect(inside.stderr).toMatch(/^error: the run set runs\/exp-001-role-vs-goal would be inside the experiment folder \., where its files would change the experiment's inputs\nhint: give --runs-dir a folder outside the experiment/m);
    expect(await filesUnder(project.dir)).toEqual(before);
  });

  it('verify on a run set that was never frozen says so (exit 2) rather than reporting tampering', async () => {
    const r = await harness(['verify', EXAMPLE, '--runs-dir', 'runs/fresh'], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`error: experiment ${EXAMPLE} is not frozen: runs/fresh/${EXAMPLE}/experiment.lock.json does not exist\nhint: run \`harness freeze ${EXAMPLE} --runs-dir runs/fresh\` first\n`);
  });

  it('--adhoc on a slot of the schedule, and --only keys that never meet, are refused (exit 2), not ignored', async () => {
    const before = await filesUnder(path.join(project.dir, 'runs'));
    const [adhoc, only] = await Promise.all([
      harness(['pin-and-run', '--init', '--adhoc', ...(await slotFlags(project.dir, 2))], { cwd: project.dir }),
      harness(['run', EXAMPLE, '--only', 'pair=pair-0001,task=TASK-006'], { cwd: project.dir }),
    ]);
    expect(adhoc.exitCode).toBe(2);
    expect(adhoc.stderr).toMatch(/^error: --adhoc, but pair-\d{4} of TASK-\d{3} for [a-z-]+ with seed \d+ is a slot of the frozen schedule$/m);
    expect(only.exitCode).toBe(2);
    expect(only.stderr).toMatch(/^error: --only "pair=pair-0001,task=TASK-006" matches no slot of the schedule$/m);
    expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
  });

  it('an ad hoc run is named by its --pair-id label, which must fit a run id (exit 2 otherwise)', async () => {
    const adhoc = ['pin-and-run', '--full', '--adhoc', '--experiment', EXAMPLE, '--variant', 'goal-centric', '--task', 'TASK-001', '--seed', '7', '--json'];
    const bad = await harness([...adhoc, '--pair-id', 'my try/1'], { cwd: project.dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: --pair-id "my try\/1" cannot name an ad hoc run$/m);
    const r = await harness([...adhoc, '--pair-id', 'try-1'], { cwd: project.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    // Never analysed, so its outcome is shown although the set's outcomes are blinded.
    expect(JSON.parse(r.stdout)).toMatchObject({ runId: expect.stringMatching(/^adhoc-try-1-TASK-001-goal-centric-s7-\d{8}T\d{6}$/), stage: 'lock', blinded: false, success: expect.any(Boolean) });
  });

  it('pin-and-run has no --output: a run folder outside its run set could never be verified', async () => {
    const r = await harness(['pin-and-run', '--init', '--adhoc', '--output', path.join(project.dir, 'elsewhere'), ...(await slotFlags(project.dir, 1))], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--output'/);
  });

  it('pinning a slot again while its attempt is unfinished is refused (exit 2), saying how to finish or give it up', async () => {
    const before = await filesUnder(path.join(project.dir, 'runs'));
    const r = await harness(['pin-and-run', '--init', ...(await slotFlags(project.dir, 0))], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    const runId = path.basename(path.dirname(manifest));
    expect(r.stderr).toMatch(new RegExp(`^error: pair-\\d{4} of TASK-\\d{3} for [a-z-]+ has an unfinished attempt, ${runId}$`, 'm'));
    // Pinned, never executed: the next step is to execute it.
    expect(r.stderr).toMatch(new RegExp(`^hint: execute it: \`harness pin-and-run --execute --manifest runs/${EXAMPLE}/${runId}/manifest\\.json\`, then evaluate and lock it$`, 'm'));
    expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
  });

  it('a seed that is not a number is a usage error (exit 2)', async () => {
    const r = await harness(['pin-and-run', '--init', '--experiment', EXAMPLE, '--variant', 'goal-centric', '--task', 'TASK-001', '--seed', 'abc', '--pair-id', 'pair-0001'], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--seed.*expected an integer/);
  });

  it('an unknown HARNESS_SYNC is bad input (exit 2) before anything is written', async () => {
    const before = await filesUnder(path.join(project.dir, 'runs'));
    const r = await harness(['run', EXAMPLE, '-j', '2'], { cwd: project.dir, env: { HARNESS_SYNC: 'sometimes' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: HARNESS_SYNC is "sometimes"\nhint: set HARNESS_SYNC=fsync/);
    expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
  });

  it('re-freezing a set as a pilot or for another provider is refused (exit 2), deviation or not, and writes nothing', async () => {
    const before = await filesUnder(path.join(project.dir, 'runs'));
    const registry = await fs.readFile(path.join(project.dir, 'runs', EXAMPLE, 'registry.jsonl'));
    const asPilot = await harness(['freeze', EXAMPLE, '--pilot', '--deviation', 'pilot first'], { cwd: project.dir });
    expect(asPilot.exitCode).toBe(2);
    expect(asPilot.stderr).toMatch(/^error: runs\/exp-001-role-vs-goal is a confirmatory set for provider sim, not a pilot set for provider sim; a run set never changes what it is for or its provider$/m);
    expect(asPilot.stderr).toMatch(/^hint: to freeze this set again, as what it is: `harness freeze exp-001-role-vs-goal --provider sim`; for a pilot set for provider sim, use a run set of its own: `harness freeze exp-001-role-vs-goal --pilot --provider sim --runs-dir <another folder>`$/m);
    const otherProvider = await harness(['freeze', EXAMPLE, '--provider', 'anthropic', '--deviation', 'use Claude'], { cwd: project.dir });
    expect(otherProvider.exitCode).toBe(2);
    expect(otherProvider.stderr).toMatch(/is a confirmatory set for provider sim, not a confirmatory set for provider anthropic/);
    expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
    expect(await fs.readFile(path.join(project.dir, 'runs', EXAMPLE, 'registry.jsonl'))).toEqual(registry);
  });

  it('a HARNESS_SIM_URL where no simulator answers is bad input (exit 2) before anything is written', async () => {
    const before = await filesUnder(path.join(project.dir, 'runs'));
    const down = { HARNESS_SIM_URL: 'http://127.0.0.1:47' };
    // Every command that executes: the whole schedule, one slot's five stages, one pinned run.
    const [refused, full, execute, notUrl] = await Promise.all([
      harness(['run', EXAMPLE], { cwd: project.dir, env: down }),
      harness(['pin-and-run', '--full', ...(await slotFlags(project.dir, 1))], { cwd: project.dir, env: down }),
      harness(['pin-and-run', '--execute', '--manifest', manifest], { cwd: project.dir, env: down }),
      harness(['run', EXAMPLE], { cwd: project.dir, env: { HARNESS_SIM_URL: 'simulator' } }),
    ]);
    for (const r of [refused, full, execute]) {
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: no simulator answers at HARNESS_SIM_URL=http:\/\/127\.0\.0\.1:47 \(.*ECONNREFUSED.*\)$/m);
      expect(r.stderr).toMatch(/^hint: start one \(`harness sim-server --port 47`\) and set HARNESS_SIM_URL=http:\/\/127\.0\.0\.1:47,/m);
    }
    expect(notUrl.exitCode).toBe(2);
    expect(notUrl.stderr).toMatch(/^error: HARNESS_SIM_URL is "simulator", not a URL$/m);
    expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
  });

  it('sim-server listens on this machine only: a --host that is not loopback is bad input (exit 2)', async () => {
    const r = await harness(['sim-server', '--host', '0.0.0.0', '--port', '0'], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: --host 0\.0\.0\.0 is not a loopback address$/m);
  });

  it('--runs-dir naming a file or nothing is a usage error (exit 2) for every command that takes it', async () => {
    await fs.writeFile(path.join(project.dir, 'afile'), '');
    const results = await Promise.all([
      harness(['freeze', EXAMPLE, '--runs-dir', 'afile'], { cwd: project.dir }),
      harness(['rerun', 'pair-0001-TASK-001-goal-centric-a1', '--reason', 'x', '--runs-dir', 'afile'], { cwd: project.dir }),
      harness(['status', EXAMPLE, '--runs-dir', ''], { cwd: project.dir }),
    ]);
    for (const r of results) expect(r.exitCode, r.stderr).toBe(2);
    expect(results[0]!.stderr).toMatch(/^error: option '--runs-dir <dir>' argument 'afile' is invalid\. afile is a file, not a folder$/m);
    expect(results[1]!.stderr).toContain('afile is a file, not a folder');
    expect(results[2]!.stderr).toContain("argument '' is invalid. expected a folder name");
  });

  it('with --json, an error is also one JSON object on stdout: bad input, a usage error', async () => {
    const [unknown, usage] = await Promise.all([
      harness(['freeze', 'no-such-exp', '--json'], { cwd: project.dir }),
      harness(['run', EXAMPLE, '-j', 'abc', '--json'], { cwd: project.dir }),
    ]);
    expect(unknown.exitCode).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({ error: { kind: 'input', exitCode: 2, message: 'experiment "no-such-exp" not found: no folder experiments/no-such-exp', problems: [], hint: expect.stringContaining('folders under experiments/') } });
    expect(unknown.stderr).toMatch(/^error: experiment "no-such-exp" not found/m);
    expect(usage.exitCode).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ error: { kind: 'usage', exitCode: 2, message: expect.stringMatching(/^option '-j, --jobs <n>' argument 'abc' is invalid/) } });
  });

  it('an unknown experiment is bad input (exit 2) saying where it looked', async () => {
    const r = await harness(['freeze', 'no-such-exp'], { cwd: project.dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/experiment "no-such-exp" not found: no folder experiments\/no-such-exp/);
    const empty = await harness(['run', ''], { cwd: project.dir });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/^error: no experiment named \(the argument is empty\)$/m);
  });

  it('a run that does not exist is bad input (exit 2) for verify and rerun, each saying what to pass', async () => {
    const [verify, rerun] = await Promise.all([
      harness(['verify', `runs/${EXAMPLE}/no-such-run`], { cwd: project.dir }),
      harness(['rerun', 'no-such-run', '--reason', 'test'], { cwd: project.dir }),
    ]);
    expect(verify.exitCode).toBe(2);
    expect(verify.stderr).toBe(`error: no folder runs/${EXAMPLE}/no-such-run\nhint: pass an experiment id (e.g. exp-001-role-vs-goal) or folder, a run set such as runs/<exp>, or a run folder such as runs/<exp>/<run-id>\n`);
    expect(rerun.exitCode).toBe(2);
    expect(rerun.stderr).toBe('error: no run no-such-run under runs/\nhint: check the run id (runs/<exp>/registry.csv lists every run), and pass --runs-dir if its run set is not under runs/ (or --experiment <id>)\n');
  });
});
