import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, scratchProject } from '../test-support/cli.js';
import { cli, freezeCli } from './execute-support.js';

// freeze --deviation registers the deviation and the new freeze in one append, after writing the
// new record: stopped before that append, the record stands unregistered, verify says so, and the
// same command registers it, once.

type Entry = { seq: number; type: string; data: { freezeDigest?: { sha256: string }; reason?: string; details?: { previousFreezeDigest: { sha256: string }; changes: { file: string }[] } } };

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
    const second = await recordDigest();
    expect(after.at(-1)!.data.freezeDigest!.sha256).toBe(second);

    // What a freeze stopped after writing the record and before its one append leaves.
    const lines = (await fs.readFile(registry, 'utf8')).trimEnd().split('\n');
    await fs.writeFile(registry, `${lines.slice(0, -2).join('\n')}\n`);
    const verified = await cli(['verify', EXAMPLE], { cwd: project.dir });
    expect(verified.exitCode).toBe(1);
    expect(verified.stdout).toContain(`runs/${EXAMPLE}/experiment.lock.json: not the freeze the registry recorded last (entry 0): a \`freeze --deviation\` stopped before registering it leaves this, and running it again with its reason registers it`);
    const plain = await cli(['freeze', EXAMPLE], { cwd: project.dir });
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toContain(`error: runs/${EXAMPLE}/experiment.lock.json was written by a \`freeze --deviation\` that was stopped before it was registered`);
    expect(plain.stderr).toContain(`hint: run it again, with its reason, to register it: \`harness freeze ${EXAMPLE} --deviation "…"\``);

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
});
