import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../core/package-root.js';
import { CLI, harness } from '../test-support/cli.js';

// The `harness` command itself: the launcher (dist/bin/harness.cjs) and the program behind it.
describe('the harness command', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const r = await harness(['--version'], { cwd: packageRoot });
    expect(r).toEqual({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('stops quietly with status 141 (as SIGPIPE would) when its reader has gone', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader goes away before the command writes anything
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 141, stderr: '' });
  });
});
