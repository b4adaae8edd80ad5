import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { execa } from 'execa';

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  stdin?: string;
  /** Bytes fed to file descriptor 3 (bwrap reads its arguments there with `--args 3`). */
  fd3?: Uint8Array;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
}

// How long to keep reading after the program exits and its group is killed.
const STREAM_GRACE_MS = 1000;

// Runs one program in its own process group with a hard deadline and bounded output capture.
// The group is SIGKILLed at the deadline and again as soon as the program exits, so nothing it
// started in the background outlives the call (for bwrap, killing bwrap ends its PID namespace).
export async function spawnCapped(spec: SpawnSpec): Promise<RunResult> {
  const started = performance.now();
  const child = execa(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    stdio: [
      spec.stdin === undefined ? 'ignore' : new TextEncoder().encode(spec.stdin),
      'pipe',
      'pipe',
      ...(spec.fd3 === undefined ? [] : [spec.fd3]),
    ],
    buffer: false,
    reject: false,
    detached: true,
  });
  const stdout = captureHead(child.stdout, spec.maxOutputBytes);
  const stderr = captureHead(child.stderr, spec.maxOutputBytes);
  let timedOut = false;
  const killGroup = (): void => {
    if (child.pid !== undefined) killProcessGroup(child.pid);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, spec.timeoutMs);
  child.once('exit', () => {
    killGroup();
    // A process that left the group (setsid, possible only with mode none) may still hold the
    // pipes; stop reading after a grace period rather than wait for it.
    setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, STREAM_GRACE_MS).unref();
  });
  const [result] = await Promise.all([child, stdout.done, stderr.done]).finally(() => clearTimeout(timer));
  const out = stdout.result();
  const err = stderr.result();
  let exitCode = result.exitCode ?? null;
  let errText = err.text;
  if (result.failed && result.exitCode === undefined && result.signal === undefined && !timedOut) {
    // The program never started (not found, not executable): answer like a shell would.
    exitCode = result.code === 'ENOENT' ? 127 : 126;
    errText += `harness: cannot run ${JSON.stringify(spec.file)}: ${result.originalMessage ?? result.shortMessage}\n`;
  }
  return {
    exitCode,
    signal: result.signal ?? null,
    timedOut,
    stdout: out.text,
    stderr: errText,
    stdoutTruncated: out.truncated,
    stderrTruncated: err.truncated,
    durationMs: Math.round(performance.now() - started),
  };
}

// A program killed by a signal before its deadline says nothing about what it was asked (a Ctrl-C
// to the whole process group can land while it is being started, before it has a group of its
// own): it is run once more.
export async function spawnCappedRetryingSignal(spec: SpawnSpec): Promise<RunResult> {
  const first = await spawnCapped(spec);
  return first.signal !== null && !first.timedOut ? spawnCapped(spec) : first;
}

// process.kill(-pgid) reaches every member of the group; ESRCH just means it is already gone.
function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

// Keep the first `limit` bytes and drain the rest: a chatty program must neither block on a full
// pipe nor fill our memory, and the head is where the useful error usually is.
function captureHead(stream: Readable | null, limit: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  stream?.on('data', (chunk: Buffer) => {
    const room = limit - size;
    if (chunk.length > room) {
      truncated = true;
      if (room > 0) chunks.push(Buffer.from(chunk.subarray(0, room)));
      size = limit;
    } else {
      chunks.push(chunk);
      size += chunk.length;
    }
  });
  const done = stream === null ? Promise.resolve() : finished(stream).catch(() => undefined);
  return {
    done,
    result: () => ({ text: Buffer.concat(chunks).toString('utf8'), truncated }),
  };
}
