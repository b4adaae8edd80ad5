import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { digestOf, type Digest } from '../core/digest.js';
import { packageRoot } from '../core/package-root.js';
import { VERSION as SDK_VERSION } from '@anthropic-ai/sdk/version';
import type { Manifest } from '../core/types/index.js';

export function harnessVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

let cached: Manifest['environment'] | undefined;

// Where the code that made a run came from: version, commit, whether the tree had local edits,
// and the exact dependency set (package-lock.json). Computed once per process.
export function environmentPins(): Manifest['environment'] {
  cached ??= {
    harnessVersion: harnessVersion(),
    ...gitState(),
    lockfileDigest: lockfileDigest(),
    nodeVersion: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  return cached;
}

function lockfileDigest(): Digest {
  return digestOf(readFileSync(path.join(packageRoot, 'package-lock.json')));
}

function gitState(): { gitCommit: string | null; gitDirty: boolean | null } {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git(['rev-parse', 'HEAD']).trim();
    // Run output (runs/) is git-ignored, so it never makes the tree dirty.
    const dirty = git(['status', '--porcelain', '--untracked-files=no']).trim() !== '';
    return { gitCommit: commit, gitDirty: dirty };
  } catch {
    return { gitCommit: null, gitDirty: null };
  }
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
