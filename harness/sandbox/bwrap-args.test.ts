import { describe, expect, it } from 'vitest';
import { bwrapInvocation, bwrapOptions } from './bwrap-args.js';

const spec = { workspace: '/host/runs/r1/outputs', env: { PATH: '/usr/bin', KEY: 'secret-value' }, network: false };

describe('bwrapOptions', () => {
  it('isolates everything and binds only the workspace read-write', () => {
    const args = bwrapOptions(spec);
    expect(args.slice(0, 2)).toEqual(['--unshare-all', '--die-with-parent']);
    expect(args).not.toContain('--share-net');
    const rw = args.flatMap((a, i) => (a === '--bind' ? [`${args[i + 1]} ${args[i + 2]}`] : []));
    expect(rw).toEqual(['/host/runs/r1/outputs /workspace']);
    expect(args.join(' ')).not.toMatch(/\/etc\/(passwd|shadow|resolv\.conf|ssl)|\/home|\/root/);
    expect(args.indexOf('--clearenv')).toBeLessThan(args.indexOf('--setenv'));
  });

  it('shares the network, and what resolving names needs, only when granted', () => {
    const args = bwrapOptions({ ...spec, network: true });
    expect(args).toContain('--share-net');
    expect(args).toContain('/etc/resolv.conf');
    expect(args).not.toContain('/etc/ssl/private');
  });
});

describe('bwrapInvocation', () => {
  it('passes options through fd 3 and only the command on the command line', () => {
    const { args, fd3 } = bwrapInvocation(spec, ['sh', '-c', 'true']);
    expect(args).toEqual(['--args', '3', '--', 'sh', '-c', 'true']);
    const options = new TextDecoder().decode(fd3).split('\0');
    expect(options.pop()).toBe('');
    expect(options).toEqual(bwrapOptions(spec));
  });
});
