import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchProject } from '../test-support/cli.js';
import {
  executeCli, freezeCli, initCli, marker, ofType, processesMatching, readTrace, scheduleOf, tcpTrap, treeDigests,
  type Executed, type TraceLine,
} from './execute-support.js';

// A simulated agent that tries every way out of its workspace, through the file tools and through
// run_command (bubblewrap): each file-tool attempt is refused and recorded as a violation, and
// nothing of the host is read, written, reached over the network or left running.

const FILE_TOOLS = new Set(['read_file', 'write_file', 'edit_file', 'list_dir']);

describe('escape attempts by a simulated agent', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let trap: Awaited<ReturnType<typeof tcpTrap>>;
  let runDir: string;
  let executed: Executed;
  let trace: TraceLine[];
  let before: Record<string, string>;
  const tag = marker();
  const hostFile = `/tmp/harness-escape-${tag}`;
  const sleep = `sleep 300.${Math.floor(Math.random() * 1e6)}`;

  beforeAll(async () => {
    trap = await tcpTrap();
    project = await scratchProject();
    const call = (tool: string, input: Record<string, string>) => ({ call: { tool, input } });
    const sh = (command: string) => call('run_command', { command });
    await fs.writeFile(path.join(project.expDir, 'tasks/TASK-001/task.yaml'), YAML.stringify({
      schemaVersion: 1, id: 'TASK-001', title: 'Escape attempts', instruction: 'Leave the workspace if you can.', workspace: 'workspace',
      tools: ['list_dir', 'read_file', 'write_file', 'run_command'],
      limits: { maxTurns: 30, commandTimeoutSeconds: 2 },
      checks: [{ id: 'anything', kind: 'file_exists', path: 'README.md' }],
      simulator: {
        steps: [
          call('read_file', { path: '../x' }),
          call('read_file', { path: '/etc/passwd' }),
          call('list_dir', { path: '../..' }),
          sh(`ln -s /etc outside && ln -s ${hostFile}-via-link dangling`),
          call('read_file', { path: 'outside/passwd' }),
          call('write_file', { path: 'dangling', content: 'escaped\n' }),
          sh('cat /etc/passwd'),
          sh('ls -a ..'),
          sh(`touch ${hostFile}`),
          sh(`bash -c 'echo hello > /dev/tcp/127.0.0.1/${trap.port}'`),
          sh(`sh -c '${sleep} & ${sleep}'`),
          // Last: the 100 MB input is refused by the tool, then by the simulator (413) when sent back.
          { call: { tool: 'write_file', input: { path: 'big.txt' }, fill: { field: 'content', bytes: 100 * 1024 * 1024 } } },
        ],
        final: 'Done.',
      },
    }));
    await freezeCli(project.dir);
    const slot = (await scheduleOf(project.dir)).find((s) => s.task === 'TASK-001')!;
    const manifest = await initCli(project.dir, slot);
    runDir = path.dirname(manifest);
    before = await treeDigests(project.dir);
    executed = await executeCli(project.dir, manifest);
    trace = await readTrace(runDir);
  }, 120_000);
  afterAll(async () => {
    await trap?.close();
    await project?.cleanup();
    await fs.rm(hostFile, { force: true });
    await fs.rm(`${hostFile}-via-link`, { force: true });
  });

  const resultOf = (call: TraceLine) => ofType(trace, 'tool_result').find((r) => r.id === call.id)!;
  const commandResult = (needle: string) => resultOf(ofType(trace, 'tool_call').find((c) => String((c.input as { command?: string }).command).includes(needle))!);

  it('every file-tool attempt is refused and recorded as a violation; leaving the workspace is critical', () => {
    const calls = ofType(trace, 'tool_call').filter((c) => FILE_TOOLS.has(String(c.name)));
    expect(calls).toHaveLength(6);
    for (const c of calls) expect(resultOf(c), JSON.stringify(c.input).slice(0, 80)).toMatchObject({ isError: true, output: expect.stringMatching(/^refused: /) });
    const violations = ofType(trace, 'violation').map(({ tool, path: p, rule, critical }) => ({ tool, path: p, rule, critical }));
    expect(violations).toEqual([
      { tool: 'read_file', path: '../x', rule: 'parent-escape', critical: true },
      { tool: 'read_file', path: '/etc/passwd', rule: 'absolute-path', critical: true },
      { tool: 'list_dir', path: '../..', rule: 'parent-escape', critical: true },
      { tool: 'read_file', path: 'outside/passwd', rule: 'symlink-escape', critical: true },
      { tool: 'write_file', path: 'dangling', rule: 'symlink-escape', critical: true },
      { tool: 'write_file', path: 'big.txt', rule: 'oversize-write', critical: false },
    ]);
  });

  it('the 100 MB write is refused first; the run then ends on the simulator\'s refusal of the request (exit 1)', async () => {
    expect(executed.exitCode, executed.stderr).toBe(1);
    const refused = trace.findIndex((e) => e.type === 'tool_result' && e.name === 'write_file' && String(e.output).includes('104857600 bytes, over the 10485760-byte limit'));
    expect(refused).toBeGreaterThan(0);
    expect(trace[refused - 1]).toMatchObject({ type: 'violation', rule: 'oversize-write' });
    // Sending the 100 MB conversation back gets a 413; under CPU load the upload can first
    // outlast the simulator client's 1.5 s timeout and be retried (see the report).
    const after = trace.slice(refused + 1);
    expect(after.map((e) => e.type).filter((t) => t !== 'retry')).toEqual(['request', 'error', 'run_end']);
    expect(after.at(-2)!.message).toMatch(/^413 .*request_too_large|timed out/i);
    expect(executed.result).toMatchObject({ stopReason: 'error', infrastructureError: after.at(-2)!.message });
    // By hand, such an attempt is given up at once, with its cause.
    const last = JSON.parse((await fs.readFile(path.join(path.dirname(runDir), 'registry.jsonl'), 'utf8')).trimEnd().split('\n').at(-1)!) as { type: string; data: { runId: string; reason: string } };
    expect(last).toMatchObject({ type: 'abandoned', data: { runId: path.basename(runDir), reason: expect.stringMatching(/^infrastructure failure by hand, not retried: /) } });
    // The trace keeps a cut of the 100 MB input, not the input itself.
    expect((await fs.stat(path.join(runDir, 'agent.log'))).size).toBeLessThan(1024 * 1024);
  });

  it('no line of the host\'s /etc/passwd reaches the agent', async () => {
    const passwd = (await fs.readFile('/etc/passwd', 'utf8')).split('\n').filter((l) => l.includes(':'));
    expect(passwd.length).toBeGreaterThan(0);
    const log = await fs.readFile(path.join(runDir, 'agent.log'), 'utf8');
    for (const line of passwd) expect(log.includes(line), line).toBe(false);
    expect(commandResult('cat /etc/passwd')).toMatchObject({ isError: true, output: expect.stringContaining('cat: /etc/passwd: No such file or directory') });
  });

  it('the sandbox shows no host folder: `ls -a ..` lists the sandbox root, not the run folder', () => {
    const r = commandResult('ls -a ..');
    expect(r.isError).toBe(false);
    const names = String(r.output).split('\nstdout:\n')[1]!.split('\nstderr:')[0]!.trim().split('\n');
    expect(names).toContain('workspace');
    for (const hostName of ['manifest.json', 'agent.log', 'outputs', 'runs', 'experiments', 'root', 'home']) expect(names).not.toContain(hostName);
  });

  it('nothing is written outside outputs/: not /tmp, not through a dangling symlink, not the project', async () => {
    expect(commandResult(`touch ${hostFile}`).isError).toBe(false);
    expect(existsSync(hostFile)).toBe(false);
    expect(existsSync(`${hostFile}-via-link`)).toBe(false);
    const after = await treeDigests(project.dir);
    const rel = path.relative(project.dir, runDir);
    // Besides the run's own files, only the registry and its record files changed: the attempt, failed
    // for infrastructure reasons, was registered abandoned (see the 413 test).
    // and the slot's claim, held while it executed, then let go.
    const records = ['registry.jsonl', 'registry.csv', '.records-through'].map((f) => path.join(path.dirname(rel), f));
    const claims = `${path.dirname(rel)}/.claims/`;
    const outside = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).filter(([p]) => p !== `${rel}/agent.log` && !p.startsWith(`${rel}/outputs/`) && !records.includes(p) && !p.startsWith(claims)));
    expect(outside(after)).toEqual(outside(before));
    expect(await treeDigests(path.join(runDir, 'outputs'))).toEqual({
      'README.md': before[`experiments/exp-001-role-vs-goal/tasks/TASK-001/workspace/README.md`],
      dangling: `-> ${hostFile}-via-link`,
      outside: '-> /etc',
    });
  });

  it('no network: the test server on 127.0.0.1 saw no connection', () => {
    expect(commandResult('/dev/tcp/').isError).toBe(true);
    expect(commandResult('/dev/tcp/').output).toMatch(/Connection refused|Network is unreachable/);
    expect(trap.connections()).toBe(0);
  });

  it('a background process does not outlive its command\'s 2 s timeout', async () => {
    expect(commandResult(sleep)).toMatchObject({ isError: true, output: expect.stringMatching(/^timed out after 2000 ms/) });
    expect(await processesMatching(sleep)).toEqual([]);
  });
});
