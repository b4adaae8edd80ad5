import { mkdtempSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bwrapInvocation } from './bwrap-args.js';
import { sandboxEnv } from './env.js';
import { isExecutableFile } from './executable.js';
import { spawnCappedRetryingSignal } from './spawn-capped.js';

export interface SandboxStatus {
  available: boolean;
  /** Absolute path of the bwrap binary found on PATH. */
  path?: string;
  /** e.g. `0.8.0`. */
  version?: string;
  /** Why it is not available (for a bwrap that cannot sandbox here, also what to change). */
  reason?: string;
}

const PROBE_TIMEOUT_MS = 10_000;
/** How to get bubblewrap, for the hints of the errors that need it. */
export const INSTALL_BUBBLEWRAP = 'install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; `make sandbox` does it as root)';

let cached: Promise<SandboxStatus> | undefined;

// Probing spawns a sandbox, so do it once: every run in this process gets the same answer.
export function detectSandbox(): Promise<SandboxStatus> {
  cached ??= probeSandbox(process.env.PATH ?? '');
  return cached;
}

// Separate "not installed" from "installed but cannot sandbox here" (e.g. user namespaces
// disabled), because the fixes differ. Exported with its search path so tests can vary it.
export async function probeSandbox(searchPath: string): Promise<SandboxStatus> {
  const bin = findExecutable('bwrap', searchPath);
  if (bin === undefined) {
    return { available: false, reason: 'bubblewrap (bwrap) was not found on PATH' };
  }
  const probeLimits = { env: {}, timeoutMs: PROBE_TIMEOUT_MS, maxOutputBytes: 64 * 1024 };
  const workspace = mkdtempSync(path.join(tmpdir(), 'harness-bwrap-probe-'));
  try {
    // Both programs at once: the version is only reported, the sandboxed `true` decides.
    const invocation = bwrapInvocation({ workspace, env: sandboxEnv(), network: false }, ['true']);
    const [versionRun, probe] = await Promise.all([
      spawnCappedRetryingSignal({ ...probeLimits, file: bin, args: ['--version'] }),
      spawnCappedRetryingSignal({ ...probeLimits, file: bin, ...invocation }),
    ]);
    const version = versionRun.stdout.trim().replace(/^bubblewrap\s+/, '') || undefined;
    if (probe.exitCode === 0) return { available: true, path: bin, version };
    const why = probe.timedOut ? `timed out after ${PROBE_TIMEOUT_MS} ms` : probe.stderr.trim() || `exit ${probe.exitCode ?? probe.signal}`;
    return {
      available: false,
      path: bin,
      version,
      reason:
        `bwrap ${version ?? '(unknown version)'} at ${bin} cannot create a sandbox here: ${why}. ` +
        'It needs unprivileged user namespaces (on Ubuntu 23.10+ AppArmor restricts them: ' +
        '`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`), or run as root.',
    };
  } finally {
    await fs.rm(workspace, { recursive: true, force: true });
  }
}

// Like `which`: the first executable regular file named `name` in a PATH-style list. Synchronous
// (a few cheap syscalls), so the probe's spawns start at once even while the caller keeps the
// event loop busy (run loads the experiment meanwhile).
function findExecutable(name: string, searchPath: string): string | undefined {
  return searchPath.split(path.delimiter).filter((dir) => path.isAbsolute(dir)).map((dir) => path.join(dir, name)).find(isExecutableFile);
}
