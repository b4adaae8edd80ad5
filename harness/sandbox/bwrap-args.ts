import { lstatSync, readlinkSync } from 'node:fs';

/** Where the workspace appears inside the sandbox; it is also the cwd and HOME there. */
export const SANDBOX_WORKSPACE = '/workspace';

// Merged-/usr hosts make these symlinks into /usr; older layouts have real directories.
const SYSTEM_TOP_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

// The least of /etc a program needs to start: the loader cache (Debian's multiarch libraries are
// not on the loader's default path) and the alternatives symlinks (awk, editor, ...). No passwd,
// no group, nothing with host secrets.
const ETC_ALWAYS = ['/etc/ld.so.cache', '/etc/alternatives'];

// With network granted, name resolution and TLS roots as well; never /etc/ssl/private.
const ETC_NETWORK = [
  '/etc/resolv.conf',
  '/etc/hosts',
  '/etc/nsswitch.conf',
  '/etc/ssl/certs',
  '/etc/ssl/openssl.cnf',
];

export interface BwrapSpec {
  /** Absolute host path, bound read-write at /workspace. */
  workspace: string;
  env: Record<string, string>;
  network: boolean;
  /** Host paths made visible read-only at the given sandbox path (an external agent's program). */
  readOnly?: { host: string; target: string }[];
}

// The whole isolation policy in one list, so the detection probe runs exactly what real runs do.
export function bwrapOptions(spec: BwrapSpec): string[] {
  return [
    '--unshare-all',
    ...(spec.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--cap-drop', 'ALL',
    '--ro-bind', '/usr', '/usr',
    ...systemTopDirArgs(),
    ...(spec.network ? [...ETC_ALWAYS, ...ETC_NETWORK] : ETC_ALWAYS).flatMap((p) => ['--ro-bind-try', p, p]),
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    ...(spec.readOnly ?? []).flatMap((b) => ['--ro-bind', b.host, b.target]),
    '--bind', spec.workspace, SANDBOX_WORKSPACE,
    '--chdir', SANDBOX_WORKSPACE,
    '--clearenv',
    ...Object.entries(spec.env).flatMap(([k, v]) => ['--setenv', k, v]),
  ];
}

/** How to start bwrap: its argv (`--args 3 -- program ...`) and the options for descriptor 3. */
export interface BwrapInvocation {
  args: string[];
  fd3: Uint8Array;
}

// Options go through a pipe (`--args 3`), not argv: argv is readable by every user of the host
// (`ps`) and by the sandboxed program (/proc/1/cmdline), and the options carry the environment
// values (maybe an API key granted on purpose) and the host path of the workspace. bwrap takes
// the command itself only from argv.
export function bwrapInvocation(spec: BwrapSpec, argv: string[]): BwrapInvocation {
  const nulTerminated = bwrapOptions(spec).map((arg) => `${arg}\0`).join('');
  return { args: ['--args', '3', '--', ...argv], fd3: new TextEncoder().encode(nulTerminated) };
}

// Reproduce the host's /bin, /lib, ... as they are (symlink or read-only directory) so that
// `#!/bin/sh` and the ELF interpreter path /lib64/ld-linux-*.so resolve inside the sandbox.
function systemTopDirArgs(): string[] {
  return SYSTEM_TOP_DIRS.flatMap((dir) => {
    try {
      const st = lstatSync(dir);
      if (st.isSymbolicLink()) return ['--symlink', readlinkSync(dir), dir];
      if (st.isDirectory()) return ['--ro-bind', dir, dir];
    } catch {
      // absent on this host: nothing to mirror
    }
    return [];
  });
}
