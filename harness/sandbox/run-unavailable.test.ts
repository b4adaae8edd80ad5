import { describe, expect, it, vi } from 'vitest';
import { runSandboxed } from './run.js';

vi.mock('./detect.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./detect.js')>()),
  detectSandbox: async () => ({ available: false, reason: 'bubblewrap (bwrap) was not found on PATH' }),
}));

describe('runSandboxed without a usable bwrap', () => {
  it('refuses mode bwrap with an input error that says what to do', async () => {
    const run = runSandboxed({ mode: 'bwrap', workspace: '/tmp', argv: ['true'], env: {}, timeoutMs: 1000, maxOutputBytes: 10 });
    await expect(run).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringContaining('not found on PATH'),
      hint: "install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; `make sandbox` does it as root); the run's manifest pins the bwrap sandbox, " +
        'so running its commands unsandboxed takes a new attempt pinned with `--sandbox none` (the manifest records it and the audit reports it)',
    });
  });
});
