import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchProject } from '../test-support/cli.js';
import { loadExperiment } from './load-experiment.js';

// Checks harness added after sets were already frozen refuse a new freeze only: an experiment
// failing them still loads (status, analyze and the audit of an existing set read it).
describe('loadExperiment: freeze-only problems', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  beforeAll(async () => {
    project = await scratchProject();
    const ws = path.join(project.expDir, 'tasks', 'TASK-001', 'workspace');
    await fs.rm(ws, { recursive: true });
    await fs.mkdir(ws);
    const prereg = path.join(project.expDir, 'preregistration.yaml');
    await fs.writeFile(prereg, (await fs.readFile(prereg, 'utf8')).replace('minimumPairsPerTask: 10', 'minimumPairsPerTask: 16'));
  });
  afterAll(() => project.cleanup());

  it('loads, listing each as a located problem for freeze to refuse', async () => {
    const exp = await loadExperiment(project.expDir);
    expect(exp.freezeOnly.map((p) => `${path.basename(p.file!)}:${p.line} ${p.path}`)).toEqual([
      expect.stringMatching(/^preregistration\.yaml:\d+ \/plannedN\/minimumPairsPerTask$/),
      expect.stringMatching(/^task\.yaml:\d+ \/workspace$/),
    ]);
  });
});
