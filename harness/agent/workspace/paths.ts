import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { SANDBOX_WORKSPACE } from '../../sandbox/bwrap-args.js';

export type PathRule =
  | 'absolute-path'
  | 'parent-escape'
  | 'symlink-escape'
  | 'special-file'
  | 'invalid-path'
  | 'oversize-write';

/** A refused file-tool request; `critical` marks an attempt to reach outside the workspace. */
export interface PathViolation {
  rule: PathRule;
  critical: boolean;
  /** Written for the model that receives it as the tool's error. */
  message: string;
}

export type PathPurpose = 'read' | 'write' | 'list';

export type ResolvedPath =
  | { ok: true; abs: string; rel: string }
  | { ok: false; violation: PathViolation };

const MAX_SYMLINK_HOPS = 40;

/**
 * Where a file tool may touch `requested`. Rules, in order:
 * - empty or NUL-containing paths are invalid;
 * - absolute paths are refused (critical, except `/workspace/...`, the sandbox's own name for the
 *   workspace, which is a confusion and not an escape);
 * - `..` is resolved lexically: `a/../b` becomes `b` and is allowed, but any `..` that climbs
 *   above the root at any point (`../x`, `a/../../x`) is a critical parent-escape;
 * - the result is resolved through symlinks (realpath of the nearest existing ancestor, following
 *   dangling links too) and must stay inside the realpath'd root, or it is a critical
 *   symlink-escape;
 * - an existing fifo, socket or device is refused (special-file); reading or writing a directory,
 *   or writing the root itself, is an invalid path.
 * Targets that do not exist yet are allowed for every purpose: for a write the tool creates the
 * missing parent directories; for a read or list the tool reports "not found".
 * `abs` is the fully resolved host path to operate on; `rel` is the normalised request.
 */
/** Whether an absolute path names the workspace as the sandbox mounts it (/workspace/...), `..` resolved first. */
export function inSandboxWorkspace(absolute: string): boolean {
  const normalised = path.posix.normalize(absolute);
  return normalised === SANDBOX_WORKSPACE || normalised.startsWith(`${SANDBOX_WORKSPACE}/`);
}

export function resolveInWorkspace(root: string, requested: string, purpose: PathPurpose): ResolvedPath {
  if (requested === '' || requested.includes('\0')) {
    return refuse('invalid-path', false, `path must be a non-empty relative path without NUL bytes; got ${JSON.stringify(requested)}`);
  }
  if (path.isAbsolute(requested)) {
    // Models that also run commands see the workspace as /workspace; normalise first so that
    // /workspace/../etc still counts as the escape it is.
    const inSandboxName = inSandboxWorkspace(requested);
    const suggestion = path.posix.relative(SANDBOX_WORKSPACE, path.posix.normalize(requested)) || '.';
    const hint = inSandboxName ? ` (the workspace is the current directory, so use ${suggestion})` : '';
    return refuse('absolute-path', !inSandboxName, `path must be relative to the workspace; got ${requested}${hint}`);
  }
  const rel = normaliseWithin(requested);
  if (rel === undefined) {
    return refuse('parent-escape', true, `path must stay inside the workspace; ${requested} climbs above it with ..`);
  }
  const realRoot = realpathSync.native(root);
  let abs: string;
  try {
    abs = realpathAllowingMissing(path.join(realRoot, rel), MAX_SYMLINK_HOPS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return refuse('invalid-path', false, `a parent of ${rel} is a file, not a directory`);
    if (code === 'ELOOP') return refuse('invalid-path', false, `${rel} is part of a symlink loop`);
    throw err;
  }
  if (abs !== realRoot && !abs.startsWith(`${realRoot}${path.sep}`)) {
    return refuse('symlink-escape', true, `${rel} resolves through a symlink to a location outside the workspace`);
  }
  const stat = statOrUndefined(abs, statSync);
  if (stat !== undefined && !stat.isFile() && !stat.isDirectory()) {
    return refuse('special-file', false, `${rel} is not a regular file or directory (a fifo, socket or device) and cannot be used`);
  }
  if (purpose === 'write' && rel === '.') {
    return refuse('invalid-path', false, 'cannot write to the workspace root itself; give a file path such as notes.txt');
  }
  if (purpose !== 'list' && stat?.isDirectory() === true) {
    return refuse('invalid-path', false, `${rel} is a directory; ${purpose} needs a file path`);
  }
  return { ok: true, abs, rel };
}

// Oversized writes are refused before anything touches the disk; not an escape, so not critical.
export function checkWriteSize(bytes: number, limit: number): { ok: true } | { ok: false; violation: PathViolation } {
  if (bytes <= limit) return { ok: true };
  return refuse('oversize-write', false, `content is ${bytes} bytes, over the ${limit}-byte limit for one write; write less`);
}

// Lexical `..` handling on `/`-separated segments; undefined when it climbs above the root.
function normaliseWithin(requested: string): string | undefined {
  const kept: string[] = [];
  for (const segment of requested.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (kept.pop() === undefined) return undefined;
    } else {
      kept.push(segment);
    }
  }
  return kept.length === 0 ? '.' : kept.join('/');
}

// realpath for paths that may not exist yet: resolve the nearest existing ancestor, and follow a
// dangling symlink to where it points, since writing through it would create the file there.
function realpathAllowingMissing(p: string, hopsLeft: number): string {
  try {
    return realpathSync.native(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parent = realpathAllowingMissing(path.dirname(p), hopsLeft);
  const here = path.join(parent, path.basename(p));
  const link = statOrUndefined(here, lstatSync);
  if (link?.isSymbolicLink() !== true) return here;
  if (hopsLeft === 0) throw Object.assign(new Error(`too many symlinks at ${here}`), { code: 'ELOOP' });
  return realpathAllowingMissing(path.resolve(parent, readlinkSync(here)), hopsLeft - 1);
}

function statOrUndefined(p: string, stat: typeof statSync | typeof lstatSync): Stats | undefined {
  try {
    return stat(p);
  } catch {
    return undefined;
  }
}

function refuse(rule: PathRule, critical: boolean, message: string): { ok: false; violation: PathViolation } {
  return { ok: false, violation: { rule, critical, message } };
}
