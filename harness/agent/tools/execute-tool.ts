import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PathViolation } from '../workspace/paths.js';
import { checkWriteSize, resolveInWorkspace } from '../workspace/paths.js';
import { runSandboxed, type SandboxMode } from '../../sandbox/run.js';
import { sandboxEnv } from '../../sandbox/env.js';
import { TOOL_DEFINITIONS, type ToolName } from './definitions.js';

export interface ToolContext {
  workspace: string;
  allowed: readonly ToolName[];
  sandbox: SandboxMode;
  clarification: string | undefined;
  limits: { maxWriteBytes: number; maxReadBytes: number; commandTimeoutMs: number; commandOutputBytes: number };
}

export interface ToolOutcome {
  output: string;
  isError: boolean;
  violation?: PathViolation & { path: string };
  clarification?: { question: string; answer: string };
}

const NO_FURTHER_INFORMATION = 'No further information is available. Proceed with your best judgement and state your assumptions.';

// Every tool failure becomes an error result the model can read and recover from; refused paths
// also carry the violation so the loop records it.
export async function executeTool(name: string, input: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome> {
  if (!(ctx.allowed as readonly string[]).includes(name)) {
    return { output: `tool ${name} is not available in this task; available: ${ctx.allowed.join(', ')}`, isError: true };
  }
  const str = (key: string): string | undefined => (typeof input[key] === 'string' ? (input[key] as string) : undefined);
  // Every input a tool requires is a string (definitions.ts), so one check covers them all.
  const absent = TOOL_DEFINITIONS[name as ToolName].input_schema.required.filter((k) => str(k) === undefined);
  if (absent.length > 0) return { output: `missing string input: ${absent.join(', ')}`, isError: true };
  try {
    switch (name as ToolName) {
      case 'read_file': return readFile(str('path')!, ctx);
      case 'write_file': return writeFile(str('path')!, str('content')!, ctx);
      case 'edit_file': return editFile(str('path')!, str('old_string')!, str('new_string')!, ctx);
      case 'list_dir': return listDir(str('path')!, ctx);
      case 'run_command': return await runCommand(str('command')!, ctx);
      case 'ask_clarification': {
        const answer = ctx.clarification ?? NO_FURTHER_INFORMATION;
        return { output: answer, isError: false, clarification: { question: str('question')!, answer } };
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { output: `not found: ${String(input.path ?? '')}`, isError: true };
    if (code === 'EISDIR') return { output: `${String(input.path ?? '')} is a folder, not a file`, isError: true };
    if (code === 'ENOTDIR') return { output: `${String(input.path ?? '')} is not a folder`, isError: true };
    return { output: `tool failed: ${(err as Error).message}`, isError: true };
  }
}

function resolved(requested: string, purpose: 'read' | 'write' | 'list', ctx: ToolContext): string | ToolOutcome {
  const r = resolveInWorkspace(ctx.workspace, requested, purpose);
  if (r.ok) return r.abs;
  return { output: `refused: ${r.violation.message}`, isError: true, violation: { ...r.violation, path: requested } };
}

function readFile(p: string, ctx: ToolContext): ToolOutcome {
  const abs = resolved(p, 'read', ctx);
  if (typeof abs !== 'string') return abs;
  const stat = statSync(abs);
  if (stat.size > ctx.limits.maxReadBytes) return { output: `${p} is ${stat.size} bytes; read_file returns files up to ${ctx.limits.maxReadBytes} bytes`, isError: true };
  return { output: readFileSync(abs, 'utf8'), isError: false };
}

function writeFile(p: string, content: string, ctx: ToolContext): ToolOutcome {
  const size = checkWriteSize(Buffer.byteLength(content), ctx.limits.maxWriteBytes);
  if (!size.ok) return { output: `refused: ${size.violation.message}`, isError: true, violation: { ...size.violation, path: p } };
  const abs = resolved(p, 'write', ctx);
  if (typeof abs !== 'string') return abs;
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  return { output: `wrote ${Buffer.byteLength(content)} bytes to ${p}`, isError: false };
}

function editFile(p: string, oldString: string, newString: string, ctx: ToolContext): ToolOutcome {
  const abs = resolved(p, 'write', ctx);
  if (typeof abs !== 'string') return abs;
  const text = readFileSync(abs, 'utf8');
  const count = oldString === '' ? 0 : text.split(oldString).length - 1;
  if (count !== 1) return { output: `old_string occurs ${count} times in ${p}; it must occur exactly once (add surrounding lines to make it unique)`, isError: true };
  const next = text.replace(oldString, () => newString);
  const size = checkWriteSize(Buffer.byteLength(next), ctx.limits.maxWriteBytes);
  if (!size.ok) return { output: `refused: ${size.violation.message}`, isError: true, violation: { ...size.violation, path: p } };
  writeFileSync(abs, next);
  return { output: `edited ${p}`, isError: false };
}

function listDir(p: string, ctx: ToolContext): ToolOutcome {
  const abs = resolved(p, 'list', ctx);
  if (typeof abs !== 'string') return abs;
  const entries = readdirSync(abs, { withFileTypes: true });
  const names = entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  return { output: names.length === 0 ? '(empty)' : names.join('\n'), isError: false };
}

async function runCommand(command: string, ctx: ToolContext): Promise<ToolOutcome> {
  const r = await runSandboxed({
    mode: ctx.sandbox, workspace: path.resolve(ctx.workspace), argv: ['sh', '-c', command], env: sandboxEnv(),
    timeoutMs: ctx.limits.commandTimeoutMs, maxOutputBytes: ctx.limits.commandOutputBytes,
  });
  const status = r.timedOut ? `timed out after ${ctx.limits.commandTimeoutMs} ms` : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
  const cut = (s: string, truncated: boolean) => (truncated ? `${s}\n[output truncated]` : s);
  return {
    output: `${status}\nstdout:\n${cut(r.stdout, r.stdoutTruncated)}\nstderr:\n${cut(r.stderr, r.stderrTruncated)}`,
    isError: r.timedOut || r.exitCode !== 0,
  };
}
