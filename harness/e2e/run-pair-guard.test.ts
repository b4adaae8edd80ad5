import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../core/types/index.js';
import { detectSandbox } from '../sandbox/detect.js';
import { EXAMPLE, type CliResult } from '../test-support/cli.js';
import { treeDigests } from './execute-support.js';
import { SLOTS, hx, runSetDir, smallProject, type Project } from './run-support.js';

// `run` will not break a pair: when the run standing for a slot's partner was locked with other
// pins than this process would pin (here the sandbox mode; in life mostly a new git commit, npm
// install or Node), it refuses before anything runs, and says how to go on.

// On CI a missing bwrap must fail this test, not skip it.
const sandbox = await detectSandbox();

describe.skipIf(!sandbox.available && !process.env.CI)('run with half of every pair locked under other pins', () => {
  let p: Project;
  let half: CliResult;
  let before: Record<string, string>;
  let refused: CliResult;
  let unchanged: boolean;

  beforeAll(async () => {
    p = await smallProject();
    half = await hx(p, ['run', EXAMPLE, '--only', 'variant=goal-centric', '--sandbox', 'none', '-j', '4']);
    before = await treeDigests(runSetDir(p));
    refused = await hx(p, ['run', EXAMPLE, '-j', '4']);
    unchanged = JSON.stringify(await treeDigests(runSetDir(p))) === JSON.stringify(before);
  }, 90_000);
  afterAll(() => p.cleanup());

  it('refuses (exit 2) before anything runs, naming each pair and the pin that differs, and says how to go on', () => {
    expect(half.exitCode, half.stderr).toBe(0);
    expect(refused.exitCode, refused.stdout).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^error: ${SLOTS / 2} pairs would be broken: their other runs were locked with other pins than this process would run with$`, 'm'));
    expect(refused.stderr).toMatch(/^ {2}pair-0001 role-centric against pair-0001-TASK-\d{3}-goal-centric-a1: pin sandbox\.mode differs: goal-centric has "none", role-centric has "bwrap"$/m);
    expect(refused.stderr).toMatch(/^hint: finish these pairs as their first runs were made \(the same commit, `npm ci`, Node, --sandbox and ANTHROPIC_BASE_URL\), or$/m);
    expect(refused.stderr).toMatch(/harness rerun pair-\d{4}-TASK-\d{3}-goal-centric-a1 --reason/);
    expect(unchanged).toBe(true);
  });

  it('with the same pins the pairs are finished and verify', async () => {
    const finished = await hx(p, ['run', EXAMPLE, '--sandbox', 'none', '-j', '4']);
    expect(finished.exitCode, finished.stdout + finished.stderr).toBe(0);
    expect(finished.stdout).toContain(`completeness gate: ${SLOTS}/${SLOTS} slots locked`);
    const pairs = await hx(p, ['verify-pairing', '--experiment', EXAMPLE, '--all']);
    expect(pairs.exitCode, pairs.stdout).toBe(0);
    // Pinned, so no deviation, but the audit tells its readers the runs had no sandbox.
    const audit = JSON.parse((await hx(p, ['audit', EXAMPLE, '--json'])).stdout) as AuditReport;
    const pins = audit.checks.find((c) => c.id === 'pins-match-freeze')!;
    expect(pins.status).toBe('PASS');
    expect(pins.evidence).toContainEqual(expect.stringMatching(new RegExp(`^${SLOTS} runs without a sandbox \\(--sandbox none\\): pair-0001-`)));
  });
});
