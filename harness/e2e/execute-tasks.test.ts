import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, scratchProject } from '../test-support/cli.js';
import {
  executeCli, firstSlots, freezeCli, initCli, ofType, readTrace, scheduleOf, treeDigests, treeTexts,
  type Executed, type Slot, type TraceLine,
} from './execute-support.js';

// Each example task, executed on the simulator through the CLI, leaves in outputs/ exactly what
// its transcript wrote: the fixture, plus the task's file in one of the two versions its script
// allows (the step as written or its seeded mistake).

type Call = { tool: string; input: Record<string, string> };
type Step = { call?: Call; mistake?: Call };

// What each task's run must produce, whichever version the seed picks.
const PRODUCT: Record<string, { file: string; looks: RegExp }> = {
  'TASK-001': { file: 'greeting.txt', looks: /^Hello,? Ada!\nWelcome to the platform team!? Your first standup is (on )?Monday at 0?9:30\.\n$/ },
  'TASK-002': { file: 'summary.md', looks: /INC-2041 \| checkout-api \| 47[\s\S]*INC-2043 \| auth-service \| 18[\s\S]*\*\*Total downtime: 1[34]0 minutes\.\*\*/ },
  'TASK-003': { file: 'config/app.ini', looks: /\[database\]\nurl = postgres:\/\/orders@db\.internal:5432\/orders\npool_size = 25\npool_timeout_seconds = (30|60)\n/ },
  'TASK-004': { file: 'totals.json', looks: /^\{"year": 2024, "total_revenue": (257627|229851)\}\n$/ },
  'TASK-005': { file: 'report.txt', looks: /^app-2026-11-20\.log: 3\napp-2026-11-21\.log: 1\napp-2026-11-22\.log: (4|6)\ntotal: (8|10)\n$/ },
  'TASK-006': { file: 'report.md', looks: /^Last updated: 2026-\d\d-\d\d$(?![\s\S]*\d\d\/\d\d\/\d{4})/m },
};

// The file contents a task's script can write: each write_file input, and each edit_file applied to the fixture.
function versions(steps: Step[], fixture: Record<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of steps.flatMap((s) => [s.call, s.mistake]).filter((c): c is Call => c !== undefined)) {
    const p = c.input.path!;
    if (c.tool === 'write_file') out.set(p, [...(out.get(p) ?? []), c.input.content!]);
    if (c.tool === 'edit_file') out.set(p, [...(out.get(p) ?? []), fixture[p]!.replace(c.input.old_string!, () => c.input.new_string!)]);
  }
  return out;
}

// The workspace the trace says the agent left: the fixture plus every successful write and edit.
function replay(fixture: Record<string, string>, trace: TraceLine[]): Record<string, string> {
  const files = { ...fixture };
  const ok = new Set(ofType(trace, 'tool_result').filter((r) => r.isError === false).map((r) => r.id));
  for (const call of ofType(trace, 'tool_call').filter((c) => ok.has(c.id))) {
    const i = call.input as Record<string, string>;
    if (call.name === 'write_file') files[i.path!] = i.content!;
    if (call.name === 'edit_file') files[i.path!] = files[i.path!]!.replace(i.old_string!, () => i.new_string!);
  }
  return files;
}

describe('pin-and-run --execute on the simulator', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let slots: Slot[];
  const runs = new Map<string, { slot: Slot; runDir: string; executed: Executed }>();
  let spare: string;

  beforeAll(async () => {
    project = await scratchProject();
    await freezeCli(project.dir);
    slots = await scheduleOf(project.dir);
    const first = firstSlots(slots);
    expect(first.map((s) => s.task)).toEqual(['TASK-001', 'TASK-002', 'TASK-003', 'TASK-004', 'TASK-005', 'TASK-006']);
    const manifests = await Promise.all(first.map((s) => initCli(project.dir, s)));
    spare = await initCli(project.dir, slots.find((s) => s.task === 'TASK-002' && s.index !== first[1]!.index)!);
    const executed = await Promise.all(manifests.map((m) => executeCli(project.dir, m)));
    first.forEach((slot, i) => runs.set(slot.task, { slot, runDir: path.dirname(manifests[i]!), executed: executed[i]! }));
  });
  afterAll(() => project.cleanup());

  for (const task of Object.keys(PRODUCT)) {
    it(`${task}: ends its turn and leaves the fixture plus ${PRODUCT[task]!.file}, as the trace wrote it`, async () => {
      const { runDir, executed } = runs.get(task)!;
      expect(executed.exitCode, executed.stderr).toBe(0);
      expect(executed.result).toMatchObject({ stopReason: 'end_turn', infrastructureError: null });
      const trace = await readTrace(runDir);
      expect(trace.at(-1)).toMatchObject({ type: 'run_end', stopReason: 'end_turn' });
      expect(ofType(trace, 'error')).toEqual([]);

      const taskDir = path.join(project.expDir, 'tasks', task);
      const fixture = await treeTexts(path.join(taskDir, 'workspace'));
      const outputs = await treeTexts(path.join(runDir, 'outputs'));
      expect(outputs).toEqual(replay(fixture, trace));

      const { file, looks } = PRODUCT[task]!;
      const steps = (YAML.parse(await fs.readFile(path.join(taskDir, 'task.yaml'), 'utf8')) as { simulator: { steps: Step[] } }).simulator.steps;
      expect(versions(steps, fixture).get(file)).toContain(outputs[file]);
      expect(outputs[file]).toMatch(looks);
      expect(outputs[file]).not.toBe(fixture[file]);
      for (const [rel, text] of Object.entries(fixture)) if (rel !== file) expect(outputs[rel], rel).toBe(text);
    });
  }

  it('TASK-004 recovers from the misnamed file; TASK-005 counts with real shell tools in the sandbox', async () => {
    const t4 = await readTrace(runs.get('TASK-004')!.runDir);
    expect(ofType(t4, 'tool_result')[0]).toMatchObject({ name: 'read_file', isError: true, output: 'not found: data/sales_2024.csv' });
    const t5 = await readTrace(runs.get('TASK-005')!.runDir);
    const counted = ofType(t5, 'tool_result').find((r) => r.name === 'run_command');
    expect(counted).toMatchObject({ isError: false });
    expect(counted!.output).toBe('exit code 0\nstdout:\napp-2026-11-20.log: 3\napp-2026-11-21.log: 1\napp-2026-11-22.log: 4\n\nstderr:\n');
  });

  it('a second --execute of the same manifest is refused (exit 2) and changes nothing', async () => {
    const { runDir } = runs.get('TASK-001')!;
    const before = await treeDigests(project.dir);
    const again = await executeCli(project.dir, path.join(runDir, 'manifest.json'));
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/^error: .*pair-\d+-TASK-001-[a-z-]+-a1 was already executed \(agent\.log or outputs\/ exists\); a run is never executed twice$/m);
    expect(again.stderr).toMatch(/^hint: evaluate it, then lock it: `harness evaluate --manifest runs\/.*\/manifest\.json`, then `harness lock-run runs\/.*-a1`$/m);
    expect(await treeDigests(project.dir)).toEqual(before);
  });

  it('--provider anthropic on a sim run set is refused (exit 2) with how to keep them apart', async () => {
    const before = await treeDigests(project.dir);
    const r = await executeCli(project.dir, spare, { extra: ['--provider', 'anthropic'] });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${EXAMPLE}'s run set in runs/${EXAMPLE} was frozen for provider sim, not anthropic; runs from both would mix providers in one experiment$`, 'm'));
    expect(r.stderr).toContain(`hint: keep providers apart, as make does: \`harness freeze ${EXAMPLE} --provider anthropic --runs-dir runs/anthropic\`, then give the same --runs-dir to every command`);
    expect(await treeDigests(project.dir)).toEqual(before);
  });

  it('a fixture changed by one byte after pinning is refused (exit 1), naming the file', async () => {
    const file = path.join(project.expDir, 'tasks/TASK-002/workspace/incidents/INC-2042.md');
    const original = await fs.readFile(file);
    const changed = Buffer.from(original);
    changed[10] = changed[10]! ^ 1;
    await fs.writeFile(file, changed);
    try {
      const r = await executeCli(project.dir, spare);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: .*manifest\.json fails validation/m);
      expect(r.stderr).toMatch(/\/task\/workspaceDigest: task TASK-002 fixture workspace changed: experiments\/exp-001-role-vs-goal\/tasks\/TASK-002\/workspace\/incidents\/INC-2042\.md$/m);
      expect(existsSync(path.join(path.dirname(spare), 'agent.log'))).toBe(false);
      expect(existsSync(path.join(path.dirname(spare), 'outputs'))).toBe(false);
    } finally {
      await fs.writeFile(file, original);
    }
  });

  it('an anthropic run set executed without ANTHROPIC_API_KEY exits 2 naming the variable', async () => {
    await freezeCli(project.dir, ['--provider', 'anthropic', '--runs-dir', 'runs-anthropic']);
    const slot = (await scheduleOf(project.dir, 'runs-anthropic'))[0]!;
    const manifest = await initCli(project.dir, slot, ['--runs-dir', 'runs-anthropic']);
    expect(JSON.parse(await fs.readFile(manifest, 'utf8'))).toMatchObject({ provider: { name: 'anthropic' } });
    const r = await executeCli(project.dir, manifest, { unset: ['ANTHROPIC_API_KEY'] });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: provider anthropic needs ANTHROPIC_API_KEY, which is not set$/m);
    expect(r.stderr).toMatch(/^hint: export ANTHROPIC_API_KEY=/m);
    expect(await fs.readdir(path.dirname(manifest))).toEqual(['manifest.json']);
  });
});
