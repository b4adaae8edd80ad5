import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, scratchProject } from '../test-support/cli.js';
import { cli, editYaml, freezeCli } from './execute-support.js';

// freeze --deviation registers the deviation and the new freeze in one append, after writing the
// new record: stopped before that append, the record stands unregistered, verify says so, and the
// same command registers it, once.

type Entry = { seq: number; at: string; type: string; data: { freezeDigest?: { sha256: string }; reason?: string; details?: { previousFreezeDigest: { sha256: string }; changes: { file: string }[] } } };

describe('freeze --deviation, stopped between writing the new record and registering it', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let registry: string;
  const entries = async (): Promise<Entry[]> => (await fs.readFile(registry, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Entry);
  const recordDigest = async (): Promise<string> => (JSON.parse(await fs.readFile(path.join(project.dir, 'runs', EXAMPLE, 'experiment.lock.json'), 'utf8')) as { digest: { sha256: string } }).digest.sha256;

  beforeAll(async () => {
    project = await scratchProject();
    registry = path.join(project.dir, 'runs', EXAMPLE, 'registry.jsonl');
    await freezeCli(project.dir);
  }, 60_000);
  afterAll(() => project.cleanup());

  it('registers the deviation and the new freeze together; a stopped one is named by verify, refused without its reason, and registered once with it', async () => {
    const first = await recordDigest();
    await fs.appendFile(path.join(project.expDir, 'variants', 'goal-centric.md'), '\nOne more line.\n');
    const deviated = await cli(['freeze', EXAMPLE, '--deviation', 'clarified the prompt'], { cwd: project.dir });
    expect(deviated.exitCode, deviated.stderr).toBe(0);
    const after = await entries();
    expect(after.slice(-2).map((e) => e.type)).toEqual(['deviation', 'frozen']);
    // One write: the two share their moment, so no crash keeps one without the other.
    expect(after.at(-1)!.at).toBe(after.at(-2)!.at);
    const second = await recordDigest();
    expect(after.at(-1)!.data.freezeDigest!.sha256).toBe(second);

    // What a freeze stopped after writing the record and before its one append leaves.
    const lines = (await fs.readFile(registry, 'utf8')).trimEnd().split('\n');
    await fs.writeFile(registry, `${lines.slice(0, -2).join('\n')}\n`);
    const verified = await cli(['verify', EXAMPLE], { cwd: project.dir });
    expect(verified.exitCode).toBe(1);
    expect(verified.stdout).toContain(`runs/${EXAMPLE}/experiment.lock.json: not the freeze the registry recorded last (entry 0): a \`freeze --deviation\` stopped before registering it leaves this, and running it again with its reason registers it`);
    // Nothing is added to the set meanwhile: runs made now would be registered before their freeze.
    const run = await cli(['run', EXAMPLE, '--only', 'task=TASK-001'], { cwd: project.dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`error: runs/${EXAMPLE}/experiment.lock.json is a freeze the registry never recorded: a \`freeze --deviation\` was stopped before registering it`);
    const analyzed = await cli(['analyze', EXAMPLE], { cwd: project.dir });
    expect(analyzed.exitCode).toBe(2);
    expect(analyzed.stderr).toContain('is a freeze the registry never recorded');
    expect(verified.stdout).not.toContain('restore the freeze record');
    const plain = await cli(['freeze', EXAMPLE], { cwd: project.dir });
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toContain(`error: runs/${EXAMPLE}/experiment.lock.json was written by a \`freeze --deviation\` that was stopped before it was registered`);
    expect(plain.stderr).toContain(`hint: run it again, with its reason, to register it: \`harness freeze ${EXAMPLE} --deviation "…"\``);

    // Its reason is for its own change: a newer change is refused until it is registered.
    const role = path.join(project.expDir, 'variants', 'role-centric.md');
    const roleText = await fs.readFile(role, 'utf8');
    await fs.writeFile(role, `${roleText}\nAnother line.\n`);
    const newer = await cli(['freeze', EXAMPLE, '--deviation', 'changed the role prompt'], { cwd: project.dir });
    expect(newer.exitCode).toBe(2);
    expect(newer.stderr).toContain('stopped before it was registered, and the inputs changed again since');
    expect(newer.stderr).toContain('variants/role-centric.md');
    await fs.writeFile(role, roleText);
    const again = await cli(['freeze', EXAMPLE, '--deviation', 'clarified the prompt'], { cwd: project.dir });
    expect(again.exitCode, again.stderr).toBe(0);
    const registered = await entries();
    expect(registered.map((e) => e.type)).toEqual(['frozen', 'deviation', 'frozen']);
    expect(registered[1]!.data.details!.previousFreezeDigest.sha256).toBe(first);
    expect(registered[1]!.data.details!.changes.map((c) => c.file)).toEqual([`experiments/${EXAMPLE}/variants/goal-centric.md`]);
    expect(registered[2]!.data.freezeDigest!.sha256).toBe(second);
    expect(await recordDigest()).toBe(second);
    expect((await cli(['verify', EXAMPLE], { cwd: project.dir })).exitCode).toBe(0);
    // Once: the same command again changes nothing.
    const third = await cli(['freeze', EXAMPLE, '--deviation', 'clarified the prompt'], { cwd: project.dir });
    expect(third.exitCode, third.stderr).toBe(0);
    expect(await entries()).toHaveLength(3);
  });

  it('stopped between writing the new schedule and the new record: the same command puts the old schedule back and records the deviation', async () => {
    const runs = path.join(project.dir, 'runs', EXAMPLE);
    const before = await entries();
    // More pairs: the schedule changes too.
    await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => { (doc.design as Record<string, number>).pairsPerTask = 16; });
    await editYaml(path.join(project.expDir, 'preregistration.yaml'), (doc) => { (doc.plannedN as Record<string, number>).pairsPerTask = 16; });
    const reason = 'one more pair per task';
    const deviated = await cli(['freeze', EXAMPLE, '--deviation', reason], { cwd: project.dir });
    expect(deviated.exitCode, deviated.stderr).toBe(0);
    const registered = await entries();
    // Rewind to the moment after the new schedule was written: the old record back, nothing registered.
    const previous = registered.at(-2)!.data.details as unknown as { archivedIn: string };
    await fs.copyFile(path.resolve(project.dir, previous.archivedIn, 'experiment.lock.json'), path.join(runs, 'experiment.lock.json'));
    const lines = (await fs.readFile(registry, 'utf8')).trimEnd().split('\n');
    await fs.writeFile(registry, `${lines.slice(0, before.length).join('\n')}\n`);
    const broken = await cli(['verify', EXAMPLE], { cwd: project.dir });
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).toContain('schedule.json: edited: does not match the digest in the freeze record');
    expect(broken.stdout).toContain('a `freeze --deviation` stopped between writing the new schedule and the new record leaves this, and running it again with its reason puts it back');
    expect(broken.stdout).not.toContain('restore the freeze record');
    // Plain freeze leaves the schedule as it is: only the deviation run again puts it back.
    expect((await cli(['freeze', EXAMPLE], { cwd: project.dir })).exitCode).not.toBe(0);
    const again = await cli(['freeze', EXAMPLE, '--deviation', reason], { cwd: project.dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^put back the schedule of the freeze record, which a stopped `freeze --deviation` had replaced\nrecorded a deviation and re-froze/);
    expect((await entries()).slice(before.length).map((e) => [e.type, e.data.reason])).toEqual([['deviation', reason], ['frozen', undefined]]);
    expect((await cli(['verify', EXAMPLE], { cwd: project.dir })).exitCode).toBe(0);
  });

  it('two freeze --deviation at once record the change once: the second finds it frozen', async () => {
    for (let i = 0; i < 3; i++) {
      const before = await entries();
      await fs.appendFile(path.join(project.expDir, 'variants', 'goal-centric.md'), `\nConcurrent change ${i}.\n`);
      const both = await Promise.all(['first', 'second'].map((reason) => cli(['freeze', EXAMPLE, '--deviation', reason], { cwd: project.dir })));
      for (const r of both) expect(r.exitCode, r.stderr).toBe(0);
      expect((await entries()).slice(before.length).map((e) => e.type)).toEqual(['deviation', 'frozen']);
      expect(both.map((r) => r.stdout.split('\n')[0]).sort()).toEqual([`${EXAMPLE} is already frozen with these inputs; nothing changed`, `recorded a deviation and re-froze ${EXAMPLE} (1 change)`]);
    }
    expect((await cli(['verify', EXAMPLE], { cwd: project.dir })).exitCode).toBe(0);
  });
});
