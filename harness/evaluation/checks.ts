import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalJson } from '../core/canonical-json.js';
import { compareBytes } from '../core/digest.js';
import { pointerSegments } from '../core/json-pointer.js';
import type { Check, Scorecard } from '../core/types/index.js';
import { runSandboxed, type SandboxMode } from '../sandbox/run.js';
import { sandboxEnv } from '../sandbox/env.js';
import type { OddEntry, TreeFile } from '../store/file-tree.js';
import type { TraceSummary } from './trace-summary.js';

export type CheckResult = Scorecard['checks'][number];

export interface CheckContext {
  outputs: string;
  /** Files now in outputs/ (sorted listing with digests). */
  files: TreeFile[];
  /** Symlinks and special files now in outputs/ (sorted). */
  odd: OddEntry[];
  /** The task's fixture files as pinned. */
  fixture: readonly { path: string; sha256: string }[];
  trace: TraceSummary;
  sandbox: SandboxMode;
}

const DEFAULT_COMMAND_TIMEOUT_S = 60;

// A check answers pass/fail with a reason a person can act on; it never throws for a missing or
// malformed output (that is a failed check), only for a harness bug.
export async function runCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const [passed, reason] = await verdict(check, ctx);
  return { id: check.id, kind: check.kind, required: check.required ?? true, constraint: check.constraint ?? false, passed, reason };
}

async function verdict(check: Check, ctx: CheckContext): Promise<[boolean, string]> {
  switch (check.kind) {
    case 'file_exists': return ctx.files.some((f) => f.path === check.path) ? [true, `${check.path} exists`] : [false, `${check.path} does not exist`];
    case 'file_absent': return ctx.files.some((f) => f.path === check.path) ? [false, `${check.path} exists but must not`] : [true, `${check.path} is absent`];
    case 'file_equals': return withFile(ctx, check.path, (text) => {
      const norm = (s: string) => (check.ignoreTrailingWhitespace ? s.trimEnd() : s);
      return norm(text) === norm(check.content) ? [true, `${check.path} has the expected content`] : [false, `${check.path} differs from the expected content (${firstDifference(norm(text), norm(check.content))})`];
    });
    case 'file_matches': return withFile(ctx, check.path, (text) => {
      const found = new RegExp(check.pattern, check.flags ?? '').test(text);
      const ok = check.negate ? !found : found;
      return [ok, `${check.path} ${found ? 'matches' : 'does not match'} /${check.pattern}/${check.flags ?? ''}`];
    });
    case 'json_value': return withFile(ctx, check.path, (text) => {
      let doc: unknown;
      try { doc = JSON.parse(text); } catch { return [false, `${check.path} is not valid JSON`]; }
      const actual = resolvePointer(doc, check.pointer);
      if (actual === undefined) return [false, `${check.path} has no value at ${check.pointer}`];
      return canonicalJson(actual) === canonicalJson(check.equals)
        ? [true, `${check.pointer} is ${canonicalJson(actual)}`]
        : [false, `${check.pointer} is ${canonicalJson(actual)}, expected ${canonicalJson(check.equals)}`];
    });
    case 'unchanged': {
      const changed = check.paths.filter((p) => {
        const pinned = ctx.fixture.find((f) => f.path === p)?.sha256;
        return pinned === undefined || ctx.files.find((f) => f.path === p)?.sha256 !== pinned;
      });
      return changed.length === 0 ? [true, `${check.paths.length} file(s) unchanged`] : [false, `changed or missing: ${changed.join(', ')}`];
    }
    case 'only_files': {
      // Every entry counts, whatever it is: a link or a fifo left behind is as unexpected as a file.
      const entries = [...ctx.files.map((f) => ({ path: f.path, what: '' })), ...ctx.odd.map((o) => ({ path: o.path, what: ` (${o.type})` }))];
      const extra = entries.filter((e) => !check.allowed.includes(e.path)).sort((a, b) => compareBytes(a.path, b.path));
      return extra.length === 0 ? [true, 'no unexpected files'] : [false, `unexpected files: ${extra.map((e) => `${e.path}${e.what}`).join(', ')}`];
    }
    case 'command': return commandVerdict(check.argv, check.timeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT_S, ctx);
    case 'clarification_asked': return ctx.trace.clarifications > 0 ? [true, `asked ${ctx.trace.clarifications} clarifying question(s)`] : [false, 'no clarifying question was asked'];
    case 'tool_used': {
      const n = ctx.trace.succeeded.get(check.tool) ?? 0;
      const min = check.minCalls ?? 1;
      return [n >= min, `${check.tool} succeeded ${n} time(s), at least ${min} required`];
    }
    case 'tool_error_recovered':
      if (ctx.trace.recoveredFromErrors === null) return [true, 'not applicable: no tool call failed'];
      return ctx.trace.recoveredFromErrors ? [true, 'every failed tool call was followed by a successful one'] : [false, 'a failed tool call was not followed by a successful one'];
    case 'turn_budget': return [ctx.trace.turns <= check.maxTurns, `${ctx.trace.turns} turn(s), budget ${check.maxTurns}`];
  }
}

function withFile(ctx: CheckContext, rel: string, fn: (text: string) => [boolean, string]): [boolean, string] {
  if (!ctx.files.some((f) => f.path === rel)) return [false, `${rel} does not exist`];
  return fn(readFileSync(path.join(ctx.outputs, rel), 'utf8'));
}

// Runs in a throw-away copy of the outputs, so a check can never change what it judges. Links are
// copied as they are (not rewritten to point into the outputs); special files cannot be copied and
// are left out (the scorecard records them as violations).
async function commandVerdict(argv: string[], timeoutSeconds: number, ctx: CheckContext): Promise<[boolean, string]> {
  const copy = await fs.mkdtemp(path.join(tmpdir(), 'harness-check-'));
  const special = new Set(ctx.odd.filter((o) => o.type !== 'symlink').map((o) => path.join(ctx.outputs, o.path)));
  try {
    await fs.cp(ctx.outputs, copy, { recursive: true, verbatimSymlinks: true, filter: (src) => !special.has(src) });
    const r = await runSandboxed({ mode: ctx.sandbox, workspace: copy, argv, env: sandboxEnv(), timeoutMs: timeoutSeconds * 1000, maxOutputBytes: 16 * 1024 });
    if (r.timedOut) return [false, `\`${argv.join(' ')}\` timed out after ${timeoutSeconds} s`];
    const said = (r.stderr || r.stdout).trim().split('\n')[0]?.slice(0, 200) ?? '';
    return [r.exitCode === 0, `\`${argv.join(' ')}\` exited ${r.exitCode ?? r.signal}${said ? `: ${said}` : ''}`];
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
}

function resolvePointer(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const key of pointerSegments(pointer)) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

// Where the two first differ (line and column, from 1), each shown from the start of that line (at
// most 20 characters before the difference) to 30 characters past it.
function firstDifference(actual: string, expected: string): string {
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const lineStart = i === 0 ? 0 : actual.lastIndexOf('\n', i - 1) + 1;
  const from = Math.max(lineStart, i - 20);
  const excerpt = (text: string) => JSON.stringify(`${from > lineStart ? '…' : ''}${text.slice(from, i + 30)}${text.length > i + 30 ? '…' : ''}`);
  return `first difference at line ${actual.slice(0, i).split('\n').length}, column ${i - lineStart + 1}: got ${excerpt(actual)}, expected ${excerpt(expected)}`;
}
