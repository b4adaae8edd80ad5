import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchProject } from '../test-support/cli.js';
import {
  editYaml, executeCli, freezeCli, initCli, marker, ofType, processesMatching, readTrace, scheduleOf, tcpTrap, treeDigests,
  type Executed, type Slot, type TraceLine,
} from './execute-support.js';

// The command provider runs an external agent program (agent/agent.sh in the experiment folder)
// in the bubblewrap sandbox: instruction on stdin, HARNESS_* variables, the workspace as its cwd,
// output captured into the trace, and nothing of the host's secrets, files, network or process
// table within reach — also when the program misbehaves and outlives the run's wall time.

const SECRET = 'sk-ant-api03-e2e-parent-secret-0123456789';
type Run = { project: Awaited<ReturnType<typeof scratchProject>>; slot: Slot; runDir: string; executed: Executed; trace: TraceLine[]; before: Record<string, string> };

const GOOD_AGENT = `#!/bin/sh
instruction=$(cat)
printf 'agent read %s characters of instruction\\n' "\${#instruction}"
printf 'first line: %s\\n' "$(printf '%s\\n' "$instruction" | head -n 1)"
echo 'a note on stderr' >&2
printf '%s' "$instruction" > seen-instruction.txt
env -0 > seen-env.bin
pwd > seen-pwd.txt
printf 'Hello, Ada!\\nWelcome to the platform team. Your first standup is Monday at 09:30.\\n' > greeting.txt
`;

const badAgent = (hostFile: string, port: number, sleep: string) => `#!/bin/sh
echo misbehaving
cat /etc/passwd > passwd.txt 2>&1
ls -a .. > parent.txt 2>&1
tr '\\0' '\\n' < /proc/1/cmdline > pid1-cmdline.txt
tr '\\0' '\\n' > pid1-environ.txt 2>&1 < /proc/1/environ
touch /agent/planted 2> agent-dir.txt
echo planted > ../planted.txt 2> up.txt
touch ${hostFile} 2> tmp.txt
bash -c 'echo hello > /dev/tcp/127.0.0.1/${port}' 2> net.txt
setsid ${sleep} > /dev/null 2>&1 &
nohup ${sleep} > /dev/null 2>&1 &
( ${sleep} & )
echo 'outliving the run' >&2
exec ${sleep}
`;

// One scratch experiment with provider command and the given agent program, one run of TASK-001.
async function runAgent(script: string, wallTimeSeconds?: number, passEnv?: string[]): Promise<Run> {
  const project = await scratchProject();
  const agent = path.join(project.expDir, 'agent/agent.sh');
  await fs.mkdir(path.dirname(agent));
  await fs.writeFile(agent, script, { mode: 0o755 });
  await editYaml(path.join(project.expDir, 'experiment.yaml'), (doc) => { doc.provider = { name: 'command', command: { argv: ['agent/agent.sh'], ...(passEnv ? { env: passEnv } : {}) } }; });
  if (wallTimeSeconds !== undefined) {
    await editYaml(path.join(project.expDir, 'tasks/TASK-001/task.yaml'), (doc) => { doc.limits = { ...(doc.limits as object), wallTimeSeconds }; });
  }
  await freezeCli(project.dir);
  const slot = (await scheduleOf(project.dir)).find((s) => s.task === 'TASK-001')!;
  const manifest = await initCli(project.dir, slot);
  const before = await treeDigests(project.dir);
  const executed = await executeCli(project.dir, manifest, { env: { ANTHROPIC_API_KEY: SECRET } });
  const runDir = path.dirname(manifest);
  return { project, slot, runDir, executed, trace: await readTrace(runDir), before };
}

const out = (r: Run, file: string) => fs.readFile(path.join(r.runDir, 'outputs', file), 'utf8');
const streams = (r: Run) => Object.fromEntries(ofType(r.trace, 'command_output').map((e) => [e.stream, e.text]));

describe('an external agent run with provider command', () => {
  let good: Run;
  let bad: Run;
  let trap: Awaited<ReturnType<typeof tcpTrap>>;
  const hostFile = `/tmp/harness-escape-${marker()}`;
  const seconds = `300.${Math.floor(Math.random() * 1e6)}`;
  const sleep = `sleep ${seconds}`;

  beforeAll(async () => {
    trap = await tcpTrap();
    [good, bad] = await Promise.all([runAgent(GOOD_AGENT), runAgent(badAgent(hostFile, trap.port, sleep), 2)]);
  }, 60_000);
  afterAll(async () => {
    await trap?.close();
    await Promise.all([good?.project.cleanup(), bad?.project.cleanup()]);
    await fs.rm(hostFile, { force: true });
  });

  it('a well-behaved agent reads the instruction on stdin and leaves its file in outputs/', async () => {
    expect(good.executed.exitCode, good.executed.stderr).toBe(0);
    expect(good.executed.result).toMatchObject({ stopReason: 'end_turn', infrastructureError: null, turns: 0 });
    expect(good.trace[0]).toMatchObject({ type: 'run_start', provider: 'command' });
    expect(good.trace.at(-1)).toMatchObject({ type: 'run_end', stopReason: 'end_turn' });
    expect(await out(good, 'greeting.txt')).toBe('Hello, Ada!\nWelcome to the platform team. Your first standup is Monday at 09:30.\n');
    expect(await out(good, 'seen-pwd.txt')).toBe('/workspace\n');
    const instruction = await out(good, 'seen-instruction.txt');
    expect(instruction).toMatch(/^Please create a file called greeting\.txt in the workspace root/);
    expect(Object.keys(await treeDigests(path.join(good.runDir, 'outputs'))).sort()).toEqual(['README.md', 'greeting.txt', 'seen-env.bin', 'seen-instruction.txt', 'seen-pwd.txt']);
  });

  it('its stdout and stderr are in the trace as command_output events', async () => {
    const instruction = await out(good, 'seen-instruction.txt');
    expect(streams(good)).toEqual({
      stdout: `agent read ${instruction.length} characters of instruction\nfirst line: ${instruction.split('\n')[0]}\n`,
      stderr: 'a note on stderr\n',
    });
  });

  it('it sees HARNESS_* variables and a scrubbed environment without the parent\'s API key', async () => {
    const env = Object.fromEntries((await out(good, 'seen-env.bin')).split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const prompt = await fs.readFile(path.join(good.project.expDir, 'variants', `${good.slot.variant}.md`), 'utf8');
    expect(env).toMatchObject({
      HARNESS_MODEL: 'claude-sonnet-5-5', HARNESS_SEED: String(good.slot.seed), HARNESS_TOOLS: 'list_dir,read_file,write_file',
      HARNESS_INSTRUCTION: `${await out(good, 'seen-instruction.txt')}\n`, HARNESS_SYSTEM_PROMPT: prompt,
      HOME: '/workspace', PATH: '/usr/local/bin:/usr/bin:/bin',
    });
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    const unexpected = Object.keys(env).filter((k) => !k.startsWith('HARNESS_') && !['PATH', 'HOME', 'LANG', 'TMPDIR', 'PWD', 'SHLVL', '_'].includes(k));
    expect(unexpected).toEqual([]);
    for (const r of [good, bad]) {
      expect(await fs.readFile(path.join(r.runDir, 'agent.log'), 'utf8')).not.toContain(SECRET);
      for (const text of Object.values(await readAll(path.join(r.runDir, 'outputs')))) expect(text).not.toContain(SECRET);
    }
  });

  it('a misbehaving agent is stopped at the task\'s 2 s wall time, with its output kept', () => {
    expect(bad.executed.exitCode, bad.executed.stderr).toBe(0);
    expect(bad.executed.result).toMatchObject({ stopReason: 'wall_time', infrastructureError: null });
    expect(ofType(bad.trace, 'limit')).toMatchObject([{ limit: 'wall_time', max: 2 }]);
    expect(streams(bad)).toEqual({ stdout: 'misbehaving\n', stderr: 'outliving the run\n' });
  });

  it('none of its background processes survives the run (setsid, nohup, subshell)', async () => {
    expect(await processesMatching(sleep)).toEqual([]);
    // The probe itself works: it finds a live process with such a command line.
    const probe = spawn('sleep', [`${seconds}1`], { stdio: 'ignore' });
    try {
      await expect.poll(() => processesMatching(`${sleep}1`), { timeout: 3000 }).toHaveLength(1);
    } finally {
      probe.kill('SIGKILL');
    }
  });

  it('it reads nothing of the host: no /etc/passwd, no run folder, no host paths in pid 1', async () => {
    expect(await out(bad, 'passwd.txt')).toBe('cat: /etc/passwd: No such file or directory\n');
    const parent = (await out(bad, 'parent.txt')).split('\n');
    expect(parent).toEqual(expect.arrayContaining(['agent', 'usr', 'workspace']));
    for (const name of ['manifest.json', 'agent.log', 'outputs', 'runs', 'root', 'home']) expect(parent).not.toContain(name);
    const pid1 = `${await out(bad, 'pid1-cmdline.txt')}${await out(bad, 'pid1-environ.txt')}`;
    expect(pid1).not.toContain(bad.project.dir);
    expect(pid1).not.toContain(SECRET);
  });

  it('it writes nothing outside outputs/: not the agent folder, not the run folder, not /tmp', async () => {
    expect(await out(bad, 'agent-dir.txt')).toMatch(/Read-only file system/);
    expect(await fs.readdir(path.join(bad.project.expDir, 'agent'))).toEqual(['agent.sh']);
    expect(existsSync(hostFile)).toBe(false);
    expect(existsSync(path.join(bad.runDir, 'planted.txt'))).toBe(false);
    const rel = path.relative(bad.project.dir, bad.runDir);
    // Besides the run's own files, only the slot's claim (held while it executed, then let go) is new.
    const claims = `${path.dirname(rel)}/.claims/`;
    const outside = Object.fromEntries(Object.entries(await treeDigests(bad.project.dir)).filter(([p]) => p !== `${rel}/agent.log` && !p.startsWith(`${rel}/outputs/`) && !p.startsWith(claims)));
    expect(outside).toEqual(Object.fromEntries(Object.entries(bad.before).filter(([p]) => !p.startsWith(claims))));
  });

  it('it reaches no network: the test server on 127.0.0.1 saw no connection', async () => {
    expect(await out(bad, 'net.txt')).toMatch(/Connection refused|Network is unreachable/);
    expect(trap.connections()).toBe(0);
  });
});

async function readAll(dir: string): Promise<Record<string, string>> {
  const files = await treeDigests(dir);
  return Object.fromEntries(await Promise.all(Object.keys(files).map(async (f) => [f, await fs.readFile(path.join(dir, f), 'utf8')] as const)));
}

describe('an external agent given a secret (provider.command.env)', () => {
  it('what it prints of the secret reaches the trace redacted, by name', async () => {
    const run = await runAgent(`#!/bin/sh\necho "key=$ANTHROPIC_API_KEY"\necho "again: $ANTHROPIC_API_KEY" >&2\n`, undefined, ['ANTHROPIC_API_KEY']);
    try {
      expect(run.executed.exitCode, run.executed.stderr).toBe(0);
      expect(streams(run)).toEqual({ stdout: 'key=[redacted: ANTHROPIC_API_KEY]\n', stderr: 'again: [redacted: ANTHROPIC_API_KEY]\n' });
      expect(await fs.readFile(path.join(run.runDir, 'agent.log'), 'utf8')).not.toContain(SECRET);
    } finally {
      await run.project.cleanup();
    }
  }, 60_000);
});
