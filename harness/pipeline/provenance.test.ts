import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../documents/package-root.js';
import { environmentPins } from './provenance.js';

const git = (...args: string[]) => execFileSync('git', args, { cwd: packageRoot, encoding: 'utf8' }).trim();

describe('environmentPins', () => {
  it('records the commit and whether tracked files have local edits, as git says them', async () => {
    const pins = await environmentPins();
    expect(pins.gitCommit).toBe(git('rev-parse', 'HEAD'));
    expect(pins.gitDirty).toBe(git('status', '--porcelain', '--untracked-files=no') !== '');
    expect(pins.nodeVersion).toBe(process.version);
    expect(await environmentPins()).toBe(pins);
  });
});
