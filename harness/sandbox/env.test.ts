import { afterEach, describe, expect, it } from 'vitest';
import { sandboxEnv } from './env.js';

describe('sandboxEnv', () => {
  afterEach(() => {
    delete process.env.ANTHROPIC_API_KEY;
  });

  it('starts from a fixed minimal environment and inherits nothing', () => {
    process.env.ANTHROPIC_API_KEY = 'sk-ant-secret';
    expect(sandboxEnv()).toEqual({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/workspace', LANG: 'C.UTF-8', TMPDIR: '/tmp' });
  });

  it('copies only the pass-through variables named, skipping unset ones', () => {
    process.env.ANTHROPIC_API_KEY = 'sk-ant-secret';
    const env = sandboxEnv({}, ['ANTHROPIC_API_KEY', 'HARNESS_SURELY_UNSET_VAR']);
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-secret');
    expect('HARNESS_SURELY_UNSET_VAR' in env).toBe(false);
  });

  it('lets extra values win over the base', () => {
    expect(sandboxEnv({ LANG: 'en_US.UTF-8', FOO: 'bar' })).toMatchObject({ LANG: 'en_US.UTF-8', FOO: 'bar' });
  });

  it('refuses malformed names and NUL values as input errors', () => {
    expect(() => sandboxEnv({}, ['BAD=NAME'])).toThrow(expect.objectContaining({ kind: 'input' }));
    expect(() => sandboxEnv({ '1X': 'v' })).toThrow(expect.objectContaining({ kind: 'input' }));
    expect(() => sandboxEnv({ X: 'a\0b' })).toThrow(expect.objectContaining({ kind: 'input' }));
  });
});
