import { describe, expect, it, vi } from 'vitest';
import { runSandboxed } from './run.js';

vi.mock('./detect.js', () => ({
  detectSandbox: async () => ({ available: false, reason: 'bubblewrap (bwrap) was not found on PATH' }),
}));

describe('runSandboxed without a usable bwrap', () => {
  it('refuses mode bwrap with an input error that says what to do', async () => {
    const run = runSandboxed({ mode: 'bwrap', workspace: '/tmp', argv: ['true'], env: {}, timeoutMs: 1000, maxOutputBytes: 10 });
    await expect(run).rejects.toMatchObject({
      kind: 'input',
      message: expect.stringContaining('not found on PATH'),
      hint: expect.stringContaining('--sandbox none'),
    });
  });
});
