import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisReport, AuditReport } from '../core/types/index.js';
import { EXAMPLE, harness, type CliResult } from '../test-support/cli.js';
import { PAIRS_PER_TASK, smallProject, TASKS, type Project } from './analyze-support.js';

// What `make pilot` does: a pilot set (one pair per task) frozen, run and checked in a run set of
// its own, which the confirmatory set beside it never counts; analysed, it says it is a pilot, and
// audited, it fails sample-size once, for being a pilot.

const PILOT = 'runs/pilot/sim';
let p: Project;
let run: CliResult;
let report: AnalysisReport;
let audit: AuditReport;
let auditExit: number;

beforeAll(async () => {
  p = await smallProject();
  const at = (args: string[]) => harness([...args, '--runs-dir', PILOT], { cwd: p.dir });
  expect((await at(['freeze', EXAMPLE, '--pilot'])).exitCode).toBe(0);
  run = await at(['run', EXAMPLE, '-j', '4', '--json']);
  report = JSON.parse((await at(['analyze', EXAMPLE, '--json'])).stdout) as AnalysisReport;
  const a = await at(['audit', EXAMPLE, '--json']);
  auditExit = a.exitCode;
  audit = JSON.parse(a.stdout) as AuditReport;
}, 90_000);
afterAll(() => p.cleanup());

describe('a pilot set', () => {
  it('runs one pair per task into its own run set, leaving runs/<exp> untouched', async () => {
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ slots: TASKS.length * 2, locked: TASKS.length * 2, complete: true });
    expect(existsSync(path.join(p.dir, 'runs', EXAMPLE))).toBe(false);
    const schedule = JSON.parse(await fs.readFile(path.join(p.dir, PILOT, EXAMPLE, 'schedule.json'), 'utf8')) as { slots: { pairId: string }[] };
    expect(new Set(schedule.slots.map((s) => s.pairId)).size).toBe(TASKS.length);
    expect((await harness(['verify', EXAMPLE, '--runs-dir', PILOT], { cwd: p.dir })).exitCode).toBe(0);
  });

  it('is analysed as a pilot', () => {
    expect(report).toMatchObject({ pilot: true, progress: { pairsPlanned: TASKS.length, pairsComplete: TASKS.length } });
  });

  it('fails only sample-size in the audit, once, for being a pilot, with its pairs counted against what it scheduled', () => {
    expect(auditExit).toBe(1);
    expect(audit.checks.filter((c) => c.status === 'FAIL').map((c) => c.id)).toEqual(['sample-size']);
    const check = audit.checks.find((c) => c.id === 'sample-size')!;
    expect(check.evidence).toEqual([
      `this is a pilot set (one pair per task, ${PAIRS_PER_TASK} pairs per task registered): it is not the registered sample, and the confirmatory set never counts it`,
      ...TASKS.map((t) => `${t}: 1/1 pairs analysed`),
    ]);
  });
});
