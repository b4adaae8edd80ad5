import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeze } from '../commands/freeze.js';
import { scratchProject } from '../test-support/cli.js';
import { initRun } from './init-run.js';
import { loadValidRun } from './load-run.js';
import { openRunSet } from './open-run-set.js';
import { contextOf, contextsOf, type ExperimentContext } from './experiment-context.js';

// A command that pins runs checks their manifests against the experiment it loaded at start, not a
// second load: contextsOf must be keyed exactly as the manifests buildManifest writes.
describe('contextsOf and contextOf', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let ctx: ExperimentContext;
  beforeAll(async () => {
    project = await scratchProject();
    const runsDir = path.join(project.dir, 'runs');
    await freeze({ experiment: project.expDir, runsDir });
    ctx = await openRunSet(project.expDir, runsDir, 'pin');
  });
  afterAll(async () => project.cleanup());

  it('holds the context a pinned manifest is checked against, so validation loads nothing again', async () => {
    const slot = ctx.frozen.schedule.slots[0]!;
    const run = await initRun(ctx.exp, ctx.frozen, { task: slot.task, variant: slot.variant, pairId: slot.pairId, seed: slot.seed, adhoc: false }, { sandbox: { mode: 'none' } });
    await run.registered;
    const contexts = contextsOf(ctx);
    expect(await contextOf(run.manifest, contexts)).toBe(ctx);
    const valid = await loadValidRun(run.manifestFile, contexts);
    expect(valid.ctx).toBe(ctx);
    expect(contexts.size).toBe(1);
  });
});
