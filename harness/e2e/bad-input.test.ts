import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, editFile as edit, filesUnder, harness, inScratchProject, slotFlags } from '../test-support/cli.js';

// Broken or changed experiment inputs (experiment.yaml, the pre-registration, tasks, fixtures, the
// agent program and its environment): each must give exit 2 (or 1 for a failed check), a message
// naming the file and the line or JSON path, no stack trace, and nothing written under runs/.
// Broken manifests, run sets and flags are in bad-manifests-and-flags.test.ts.
type Case = {
  name: string;
  break: (exp: string) => Promise<void>;
  expect: RegExp[];
  exitCode?: number;
};

const cfg = (exp: string) => path.join(exp, 'experiment.yaml');
const prereg = (exp: string) => path.join(exp, 'preregistration.yaml');
const task = (exp: string, id = 'TASK-001') => path.join(exp, 'tasks', id, 'task.yaml');
const ws = (exp: string, id = 'TASK-001') => path.join(exp, 'tasks', id, 'workspace');

// provider command with the agent program agent/run.sh, written with `mode` unless undefined.
const commandAgent = async (exp: string, mode: number | undefined) => {
  if (mode !== undefined) {
    await fs.mkdir(path.join(exp, 'agent'));
    await fs.writeFile(path.join(exp, 'agent', 'run.sh'), '#!/bin/sh\n', { mode });
  }
  await edit(cfg(exp), (t) => t.replace(/^provider:\n {2}name: sim$/m, 'provider:\n  name: command\n  command: {argv: [agent/run.sh]}'));
};

const cases: Case[] = [
  { name: 'agent program not executable', break: (e) => commandAgent(e, 0o644), expect: [/experiment\.yaml:\d+:\d+ \/provider\/command\/argv\/0: agent program "agent\/run\.sh" is not an executable file, so no run could start it: make it one \(`chmod \+x \/.*\/agent\/run\.sh`\)/] },
  { name: 'agent program missing', break: (e) => commandAgent(e, undefined), expect: [/experiment\.yaml:\d+:\d+ \/provider\/command\/argv\/0: agent program "agent\/run\.sh" not found at \/.*\/agent\/run\.sh: put it there, or correct provider\.command\.argv/] },
  { name: 'YAML syntax error', break: (e) => edit(cfg(e), (t) => t.replace(/^variants:/m, 'variants: [unclosed\nx:')), expect: [/experiment\.yaml:\d+:\d+: Flow sequence in block collection/] },
  { name: 'wrong type', break: (e) => edit(cfg(e), (t) => t.replace(/pairsPerTask: 15/, 'pairsPerTask: fifteen')), expect: [/experiment\.yaml:\d+:\d+ \/design\/pairsPerTask: must be integer/] },
  { name: 'unknown key', break: (e) => edit(cfg(e), (t) => `${t}\ncolour: blue\n`), expect: [/experiment\.yaml:\d+:\d+ \/colour: unknown key "colour"/] },
  { name: 'missing field', break: (e) => edit(cfg(e), (t) => t.replace(/^title:.*$/m, '')), expect: [/experiment\.yaml:\d+:\d+ \/: missing required key "title"/] },
  { name: 'duplicate task ids', break: (e) => edit(cfg(e), (t) => t.replace(/- TASK-002/, '- TASK-001')), expect: [/experiment\.yaml:\d+:\d+ \/tasks\/1: duplicate task id "TASK-001"/] },
  { name: 'fixture path escaping its task dir', break: (e) => edit(task(e), (t) => t.replace(/^workspace: .*$/m, 'workspace: ../../..')), expect: [/TASK-001\/task\.yaml:\d+:\d+ \/workspace: workspace "..\/..\/.." must be a folder inside the task folder/] },
  { name: 'symlink in a fixture', break: (e) => fs.symlink('/etc/passwd', path.join(ws(e), 'passwd')), expect: [/TASK-001\/workspace\/passwd: a symlink in a fixture workspace/] },
  { name: 'empty fixture folder', break: async (e) => { await fs.rm(ws(e), { recursive: true }); await fs.mkdir(ws(e)); }, expect: [/TASK-001\/task\.yaml:\d+:\d+ \/workspace: workspace folder workspace is empty, and git keeps no empty folder/] },
  { name: 'special file in a fixture', break: async (e) => { execFileSync('mkfifo', [path.join(ws(e), 'pipe')]); }, expect: [/workspace\/pipe: a special file/] },
  { name: 'empty file', break: (e) => fs.writeFile(cfg(e), ''), expect: [/experiment\.yaml: file is empty/] },
  { name: 'YAML alias bomb', break: (e) => edit(cfg(e), (t) => `${t}\nbomb0: &a0 [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 9 }, (_, i) => `bomb${i + 1}: &a${i + 1} [*a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}, *a${i}]`).join('\n')}\n`), expect: [/experiment\.yaml: too many YAML aliases/] },
  { name: 'non-UTF-8 file', break: (e) => fs.writeFile(task(e, 'TASK-002'), Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a])), expect: [/TASK-002\/task\.yaml:1: not valid UTF-8 \(byte offset 4\)/] },
  { name: 'duplicate YAML key', break: (e) => edit(cfg(e), (t) => t.replace(/^title:/m, 'title: one\ntitle:')), expect: [/experiment\.yaml:\d+:\d+: Map keys must be unique/] },
  { name: 'task id not matching its folder', break: (e) => edit(task(e), (t) => t.replace(/^id: TASK-001/m, 'id: TASK-999')), expect: [/TASK-001\/task\.yaml:\d+:\d+ \/id: id "TASK-999" does not match its folder name/] },
  { name: 'unknown key in a check', break: (e) => edit(task(e), (t) => t.replace('    path: greeting.txt\n    content:', '    paht: greeting.txt\n    content:')), expect: [/TASK-001\/task\.yaml:\d+:\d+ \/checks\/\d+\/paht: unknown key "paht" \(allowed: kind, path, content, ignoreTrailingWhitespace, id, description, required, constraint\)/] },
  { name: 'unknown check kind', break: (e) => edit(task(e), (t) => t.replace(/kind: file_equals/, 'kind: file_equal')), expect: [/task\.yaml:\d+:\d+ \/checks\/\d+\/kind: unknown kind "file_equal" \(allowed: file_exists, file_absent, file_equals, /] },
  { name: 'missing variant prompt', break: (e) => fs.rm(path.join(e, 'variants', 'goal-centric.md')), expect: [/experiment\.yaml:\d+:\d+ \/variants\/\d: variant "goal-centric" has no system prompt: \S*variants\/goal-centric\.md does not exist; create it, or correct the name here/] },
  { name: 'missing task file', break: (e) => fs.rm(task(e, 'TASK-004')), expect: [/experiment\.yaml:\d+:\d+ \/tasks\/3: task "TASK-004" has no task\.yaml: \S*tasks\/TASK-004\/task\.yaml does not exist/] },
  { name: 'task id with no folder', break: (e) => edit(cfg(e), (t) => t.replace(/- TASK-006/, '- TASK-06')), expect: [/experiment\.yaml:\d+:\d+ \/tasks\/5: task "TASK-06" has no task\.yaml/] },
  { name: 'missing pre-registration', break: (e) => fs.rm(prereg(e)), expect: [/experiment\.yaml:\d+:\d+ \/preregistration: no pre-registration: \S*preregistration\.yaml does not exist/] },
  { name: 'pre-registration seed differs from the design', break: (e) => edit(prereg(e), (t) => t.replace(/^seed: \d+/m, 'seed: 7')), expect: [/preregistration\.yaml:\d+:\d+ \/seed: registers seed 7/] },
  { name: 'hypothesis names an unknown variant', break: (e) => edit(prereg(e), (t) => t.replace(/treatment: goal-centric/, 'treatment: goal-centred')), expect: [/preregistration\.yaml:\d+:\d+ \/hypotheses\/0\/treatment: "goal-centred" is not a variant/] },
  { name: 'invalid regex in a check', break: (e) => edit(task(e, 'TASK-002'), (t) => t.replace(/pattern: /, 'pattern: "(unclosed" #')), expect: [/TASK-002\/task\.yaml:\d+:\d+ \/checks\/\d+\/pattern: is not a valid regular expression \(Invalid regular expression: \/\(unclosed\/: Unterminated group\)/] },
  { name: 'duplicate check ids', break: (e) => edit(task(e), (t) => t.replace(/id: no-other-files/, 'id: greeting-content')), expect: [/task\.yaml:\d+:\d+ \/checks\/\d+\/id: duplicate check id "greeting-content"/] },
  { name: 'several YAML documents in one file', break: (e) => edit(cfg(e), (t) => `${t}\n---\nid: other\n`), expect: [/experiment\.yaml:\d+:\d+: Source contains multiple documents/] },
  { name: 'check needing a tool the task does not allow', break: (e) => edit(task(e, 'TASK-002'), (t) => t.replace('tools: [list_dir, read_file, write_file]', 'tools: [list_dir, write_file]')), expect: [/TASK-002\/task\.yaml:\d+:\d+ \/checks\/\d+: check "[a-z-]+" needs tool read_file, which the task does not allow/] },
  { name: 'negative seed', break: (e) => edit(cfg(e), (t) => t.replace(/seed: \d+/, 'seed: -1')), expect: [/experiment\.yaml:\d+:\d+ \/design\/seed: must be >= 0/] },
  { name: 'minimum pairs per task above the planned pairs', break: (e) => edit(prereg(e), (t) => t.replace(/minimumPairsPerTask: 10/, 'minimumPairsPerTask: 16')), expect: [/preregistration\.yaml:\d+:\d+ \/plannedN\/minimumPairsPerTask: requires at least 16 analysed pairs per task, more than the 15 planned/] },
  { name: 'log ratio of a metric that is not a secondary metric', break: (e) => edit(prereg(e), (t) => t.replace(/logRatio: \[totalTokens,/, 'logRatio: [turns, toolCalls,')), expect: [/preregistration\.yaml:\d+:\d+ \/secondaryOutcomes\/logRatio\/1: "toolCalls" is not one of the secondary metrics/] },
  { name: 'simulator script calling a tool the task does not allow', break: (e) => edit(task(e), (t) => t.replace('call: { tool: list_dir,', 'call: { tool: run_command,')), expect: [/TASK-001\/task\.yaml:\d+:\d+ \/simulator\/steps\/\d+\/call\/tool: the simulated agent calls run_command, which the task does not allow/] },
  { name: 'behaviour for an unknown variant', break: (e) => edit(cfg(e), (t) => t.replace(/^( +)goal-centric:/m, '$1goal-centred:')), expect: [/experiment\.yaml:\d+:\d+ \/simulator\/behaviour\/goal-centred: "goal-centred" is not one of the variants/] },
];

describe('a set frozen where make puts it (runs/<provider>/), asked for without --runs-dir', () => {
  it('is not frozen (exit 2), and the hint names the folder that holds it', async () => {
    await inScratchProject(async (project) => {
      expect((await harness(['freeze', EXAMPLE, '--provider', 'anthropic', '--runs-dir', 'runs/anthropic'], { cwd: project.dir })).exitCode).toBe(0);
      const r = await harness(['status', EXAMPLE], { cwd: project.dir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('hint: its run set is in runs/anthropic (as make keeps providers apart): pass --runs-dir runs/anthropic;');
    });
  });
});

describe('an agent program that is not executable', () => {
  it('is refused where runs would start it (freeze for command), not where the set is only read (a sim set: status)', async () => {
    await inScratchProject(async (project) => {
      await commandAgent(project.expDir, 0o755);
      expect((await harness(['freeze', EXAMPLE, '--provider', 'sim'], { cwd: project.dir })).exitCode).toBe(0);
      await fs.chmod(path.join(project.expDir, 'agent', 'run.sh'), 0o644);
      const status = await harness(['status', EXAMPLE], { cwd: project.dir });
      expect(status.exitCode, status.stderr).toBe(0);
      const forCommand = await harness(['freeze', EXAMPLE, '--runs-dir', 'runs/command'], { cwd: project.dir });
      expect(forCommand.exitCode).toBe(2);
      expect(forCommand.stderr).toMatch(/agent program "agent\/run\.sh" is not an executable file, so no run could start it/);
    });
  });
});

describe('a variable the agent is to be given that is not set', () => {
  it('is refused (exit 2) where runs would start the agent, naming the line, before anything is written; set, the run goes ahead', async () => {
    await inScratchProject(async (project) => {
      await commandAgent(project.expDir, 0o755);
      await edit(cfg(project.expDir), (t) => t.replace('command: {argv: [agent/run.sh]}', 'command: {argv: [agent/run.sh], env: [HOME, HARNESS_TEST_AGENT_KEY]}'));
      const frozen = await harness(['freeze', EXAMPLE], { cwd: project.dir });
      expect(frozen.exitCode, frozen.stderr).toBe(0);
      const before = await filesUnder(path.join(project.dir, 'runs'));
      const slot = await slotFlags(project.dir, 0);
      const [run, full] = await Promise.all([
        harness(['run', EXAMPLE], { cwd: project.dir }),
        harness(['pin-and-run', '--full', ...slot], { cwd: project.dir }),
      ]);
      for (const r of [run, full]) {
        expect(r.exitCode, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/^error: the agent of exp-001-role-vs-goal needs HARNESS_TEST_AGENT_KEY, which is not set$/m);
        expect(r.stderr).toMatch(/experiment\.yaml:\d+:\d+ \/provider\/command\/env\/1: HARNESS_TEST_AGENT_KEY is not set in this environment/);
      }
      expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
      const given = await harness(['pin-and-run', '--full', ...slot, '--sandbox', 'none', '--json'], { cwd: project.dir, env: { HARNESS_TEST_AGENT_KEY: 'k' } });
      expect(given.exitCode, given.stderr).toBe(0);
      expect(JSON.parse(given.stdout)).toMatchObject({ stage: 'lock', infrastructureError: null });
    });
  });
});

describe('broken experiment inputs', () => {
  for (const c of cases) {
    it(`${c.name}: exit ${c.exitCode ?? 2}, names the place, writes nothing`, async () => {
      await inScratchProject(async (project) => {
        await c.break(project.expDir);
        const r = await harness(['freeze', EXAMPLE], { cwd: project.dir });
        expect(r.exitCode, r.stderr).toBe(c.exitCode ?? 2);
        for (const re of c.expect) expect(r.stderr).toMatch(re);
        expect(r.stderr).toMatch(/^hint: /m);
        expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
        expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual([]);
      });
    });
  }
});

describe('inputs changed after freezing', () => {
  it('refuse the run (exit 2), name the file, and the hint records a deviation for this same set', async () => {
    await inScratchProject(async (project) => {
      const frozen = await harness(['freeze', EXAMPLE, '--pilot', '--runs-dir', 'runs/pilot'], { cwd: project.dir });
      expect(frozen.exitCode, frozen.stderr).toBe(0);
      // Another provider on a pilot set: the hint freezes a pilot set of its own, where make would.
      const otherProvider = await harness(['run', EXAMPLE, '--runs-dir', 'runs/pilot', '--provider', 'anthropic'], { cwd: project.dir });
      expect(otherProvider.exitCode).toBe(2);
      expect(otherProvider.stderr).toContain('`harness freeze exp-001-role-vs-goal --pilot --provider anthropic --runs-dir runs/pilot/anthropic`');
      const variant = path.join(project.expDir, 'variants', 'goal-centric.md');
      const original = await fs.readFile(variant, 'utf8');
      await fs.writeFile(variant, `${original}\nOne more line.\n`);
      const before = await filesUnder(path.join(project.dir, 'runs'));
      const r = await harness(['run', EXAMPLE, '--runs-dir', 'runs/pilot'], { cwd: project.dir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^error: the inputs of exp-001-role-vs-goal changed since it was frozen$/m);
      expect(r.stderr).toMatch(/variants\/goal-centric\.md: variant goal-centric changed: frozen sha256:[0-9a-f]{12}…, now sha256:[0-9a-f]{12}…/);
      expect(r.stderr).toContain('keep this run set and record the change: `harness freeze exp-001-role-vs-goal --pilot --runs-dir runs/pilot --deviation "why"`');
      // Nothing has run in the set, so making it again is offered; once a run is in it, never.
      expect(r.stderr).toContain('nothing has run in this set yet, so you may make it again: `rm -r runs/pilot/exp-001-role-vs-goal && harness freeze exp-001-role-vs-goal --pilot --runs-dir runs/pilot`');
      expect(await filesUnder(path.join(project.dir, 'runs'))).toEqual(before);
      await fs.writeFile(variant, original);
      expect((await harness(['run', EXAMPLE, '--runs-dir', 'runs/pilot', '--only', 'task=TASK-001,variant=goal-centric'], { cwd: project.dir })).exitCode).toBe(0);
      await fs.writeFile(variant, `${original}\nOne more line.\n`);
      const afterRuns = await harness(['run', EXAMPLE, '--runs-dir', 'runs/pilot'], { cwd: project.dir });
      expect(afterRuns.exitCode).toBe(2);
      expect(afterRuns.stderr).toContain('--deviation "why"');
      expect(afterRuns.stderr).not.toContain('nothing has run');
    });
  });
});

describe('inputs changed after freezing into what a freeze refuses', () => {
  it('the changed-inputs refusal says what a deviation freeze would refuse too', async () => {
    await inScratchProject(async (project) => {
      expect((await harness(['freeze', EXAMPLE], { cwd: project.dir })).exitCode).toBe(0);
      await fs.rm(ws(project.expDir), { recursive: true });
      await fs.mkdir(ws(project.expDir));
      const r = await harness(['run', EXAMPLE], { cwd: project.dir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^error: the inputs of exp-001-role-vs-goal changed since it was frozen$/m);
      expect(r.stderr).toMatch(/^ {2}\(a freeze would also refuse what the inputs hold now: \S*TASK-001\/task\.yaml:\d+:\d+ \/workspace: workspace folder workspace is empty/m);
    });
  });
});

describe('a run set edited after freezing', () => {
  it('is refused (exit 1), naming the edited schedule, and verify reports it the same way', async () => {
    await inScratchProject(async (project) => {
      expect((await harness(['freeze', EXAMPLE], { cwd: project.dir })).exitCode).toBe(0);
      const schedule = path.join(project.dir, 'runs', EXAMPLE, 'schedule.json');
      await edit(schedule, (t) => t.replace(/"seed": (\d+)/, (_, n: string) => `"seed": ${Number(n) + 1}`));
      const run = await harness(['run', EXAMPLE], { cwd: project.dir });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^error: the run set in runs\/exp-001-role-vs-goal was edited after freezing\n  runs\/exp-001-role-vs-goal\/schedule\.json: edited: does not match the digest in the freeze record\nhint: a `freeze --deviation` stopped partway is finished by running it again; otherwise restore the files from a backup/);
      const verify = await harness(['verify', EXAMPLE], { cwd: project.dir });
      expect(verify.exitCode).toBe(1);
      expect(verify.stdout + verify.stderr).toContain('runs/exp-001-role-vs-goal/schedule.json: edited: does not match the digest in the freeze record');
    });
  });
});
