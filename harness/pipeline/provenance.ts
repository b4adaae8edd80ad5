import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { digestOf, type Digest } from '../core/digest.js';
import { harnessVersion, packageRoot } from '../documents/package-root.js';
import { VERSION as SDK_VERSION } from '@anthropic-ai/sdk/version';
import { spawnCappedRetryingSignal } from '../sandbox/spawn-capped.js';
import type { Manifest } from '../core/types/index.js';

let cached: Promise<Manifest['environment']> | undefined;

// Past this, git is taken as absent (no commit recorded) rather than holding up every run.
const GIT_TIMEOUT_MS = 30_000;

// Where the code that made a run came from: version, commit, whether the tree had local edits,
// and the exact dependency set (package-lock.json). Computed once per process; git runs
// asynchronously, so a command that asks early (openRunSet) loads its experiment meanwhile.
export function environmentPins(): Promise<Manifest['environment']> {
  cached ??= gitState().then((git) => ({
    harnessVersion: harnessVersion(),
    ...git,
    lockfileDigest: lockfileDigest(),
    nodeVersion: process.version,
    platform: `${process.platform}-${process.arch}`,
  }));
  return cached;
}

function lockfileDigest(): Digest {
  return digestOf(readFileSync(path.join(packageRoot, 'package-lock.json')));
}

// One `git status` says both: its porcelain v2 header names the commit ("(initial)" before the
// first), and every other line is a changed tracked file.
async function gitState(): Promise<{ gitCommit: string | null; gitDirty: boolean | null }> {
  // Run output (runs/) is git-ignored, so it never makes the tree dirty. git gets a process group
  // of its own, so a terminal's Ctrl-C (a gentle stop for `run`) does not reach it.
  const git = await spawnCappedRetryingSignal({
    file: 'git',
    args: ['status', '--porcelain=v2', '--branch', '--untracked-files=no'],
    cwd: packageRoot,
    env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    timeoutMs: GIT_TIMEOUT_MS,
    maxOutputBytes: 1024 * 1024,
  });
  const status = git.exitCode === 0 ? git.stdout : undefined;
  if (status === undefined) return { gitCommit: null, gitDirty: null };
  const lines = status.split('\n').filter((l) => l !== '');
  const oid = lines.find((l) => l.startsWith('# branch.oid '))?.slice('# branch.oid '.length);
  return { gitCommit: oid === undefined || oid === '(initial)' ? null : oid, gitDirty: lines.some((l) => !l.startsWith('#')) };
}

/**
 * The Anthropic SDK's version, pinned in every manifest (the simulator runs through it too): the
 * version of the code that actually runs, bundled or not, as the SDK itself states it.
 */
export function sdkVersion(): string {
  return SDK_VERSION;
}

/** The `anthropic-version` header the pinned SDK sends (a test checks it against a real request). */
export const ANTHROPIC_API_VERSION = '2026-10-21';

/** Who did something, for registry entries that record a person's action (looks, deviations). */
export function whoAmI(): string {
  return process.env.HARNESS_USER ?? `${userInfo().username}@${hostname()}`;
}
