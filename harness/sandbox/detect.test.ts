import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSandbox, probeSandbox } from './detect.js';

describe('detectSandbox', () => {
  it('finds a usable bwrap (required when CI is set)', async (ctx) => {
    const status = await detectSandbox();
    if (!status.available && !process.env.CI) ctx.skip();
    expect(status.reason, 'bubblewrap must work on CI').toBeUndefined();
    expect(status).toMatchObject({ available: true, version: expect.stringMatching(/^\d+\.\d+/) });
  });

  it('probes once per process', () => {
    expect(detectSandbox()).toBe(detectSandbox());
  });
});

describe('probeSandbox', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'harness-detect-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  // A folder holding a `bwrap` that is this shell script.
  const fakeBwrap = async (name: string, script: string): Promise<string> => {
    const fake = path.join(dir, name);
    await fs.mkdir(fake);
    await fs.writeFile(path.join(fake, 'bwrap'), `#!/bin/sh\n${script}`, { mode: 0o755 });
    return fake;
  };

  it('says that bwrap is not on PATH', async () => {
    const status = await probeSandbox(dir);
    expect(status.available).toBe(false);
    expect(status.reason).toBe('bubblewrap (bwrap) was not found on PATH');
  });

  it('says why when bwrap is installed but cannot sandbox', async () => {
    const fake = await fakeBwrap('broken', '[ "$1" = --version ] && { echo "bubblewrap 9.9.9"; exit 0; }\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n');
    const status = await probeSandbox(`/nonexistent${path.delimiter}${fake}`);
    expect(status).toMatchObject({ available: false, version: '9.9.9', path: path.join(fake, 'bwrap') });
    expect(status.reason).toContain('setting up uid map: Permission denied');
    expect(status.reason).toContain('user namespaces');
  });

  it('runs a probe killed by a signal once more instead of calling bwrap unusable (Ctrl-C as it starts)', async () => {
    // Each of the two programs is killed the first time it runs, and works the second.
    const fake = await fakeBwrap('signalled', 'seen="$(dirname "$0")/seen-$1"\n[ -e "$seen" ] || { : > "$seen"; kill -KILL $$; }\n[ "$1" = --version ] && echo "bubblewrap 9.9.9"\nexit 0\n');
    const status = await probeSandbox(fake);
    expect(status).toEqual({ available: true, path: path.join(fake, 'bwrap'), version: '9.9.9' });
  });
});
