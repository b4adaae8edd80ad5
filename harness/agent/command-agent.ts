import path from 'node:path';
import { runSandboxed, type SandboxMode } from '../sandbox/run.js';
import { sandboxEnv } from '../sandbox/env.js';
import type { TraceWriter } from './trace.js';
import { redact } from '../core/secrets.js';

export interface CommandAgentInput {
  argv: string[];
  /** The experiment folder: a relative argv[0] names a program inside it. */
  experimentDir: string;
  network: boolean;
  passEnv: string[];
  workspace: string;
  sandbox: SandboxMode;
  system: string;
  instruction: string;
  model: string;
  seed: number;
  tools: string[];
  wallTimeSeconds: number;
  trace: TraceWriter;
}

export interface CommandAgentResult {
  stopReason: string;
  wallTimeMs: number;
  infrastructureError: string | undefined;
}

const OUTPUT_CAP = 1024 * 1024;
const AGENT_DIR = '/agent';

// An external agent program: it gets the instruction on stdin and everything else in HARNESS_*
// variables, works in the workspace, and runs in the same sandbox as every other program.
export async function runCommandAgent(input: CommandAgentInput): Promise<CommandAgentResult> {
  const [program, ...args] = input.argv as [string, ...string[]];
  const local = program.includes('/');
  const hostProgram = path.resolve(input.experimentDir, program);
  const argv = local ? [input.sandbox === 'bwrap' ? `${AGENT_DIR}/${path.basename(hostProgram)}` : hostProgram, ...args] : input.argv;
  const env = sandboxEnv({
    HARNESS_SYSTEM_PROMPT: input.system,
    HARNESS_INSTRUCTION: input.instruction,
    HARNESS_MODEL: input.model,
    HARNESS_SEED: String(input.seed),
    HARNESS_TOOLS: input.tools.join(','),
  }, input.passEnv);
  const r = await runSandboxed({
    mode: input.sandbox, workspace: path.resolve(input.workspace), argv, env, stdin: input.instruction,
    timeoutMs: input.wallTimeSeconds * 1000, network: input.network, maxOutputBytes: OUTPUT_CAP,
    ...(local ? { readOnly: [{ host: path.dirname(hostProgram), target: AGENT_DIR }] } : {}),
  });
  // The variables passed on (provider.command.env, API keys mostly) never reach the trace, whatever the program printed.
  const passed = Object.fromEntries(input.passEnv.map((name) => [name, process.env[name]]));
  const stdout = redact(r.stdout, passed);
  const stderr = redact(r.stderr, passed);
  input.trace.write({ type: 'command_output', stream: 'stdout', text: stdout, truncated: r.stdoutTruncated });
  input.trace.write({ type: 'command_output', stream: 'stderr', text: stderr, truncated: r.stderrTruncated });
  if (r.timedOut) {
    input.trace.write({ type: 'limit', limit: 'wall_time', value: r.durationMs / 1000, max: input.wallTimeSeconds });
    return { stopReason: 'wall_time', wallTimeMs: r.durationMs, infrastructureError: undefined };
  }
  // 126/127: the program could not be started at all, which is the set-up's fault, not the agent's.
  const infrastructureError = r.exitCode === 126 || r.exitCode === 127 ? `agent program could not be started (exit ${r.exitCode}): ${stderr.trim().slice(0, 200)}` : undefined;
  if (infrastructureError) input.trace.write({ type: 'error', message: infrastructureError, infrastructure: true, status: null, requestId: null });
  return { stopReason: r.exitCode === 0 ? 'end_turn' : `exit_${r.exitCode ?? r.signal ?? 'unknown'}`, wallTimeMs: r.durationMs, infrastructureError };
}
