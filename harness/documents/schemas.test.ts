import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaDir, schemaProblems, type SchemaName } from './schemas.js';

// Every schema on disk, so a schema added later is covered without editing this test.
const names = readdirSync(schemaDir)
  .filter((f) => f.endsWith('.schema.json'))
  .map((f) => f.slice(0, -'.schema.json'.length) as SchemaName)
  .sort();

describe('schemas', () => {
  it('are all on disk', () => {
    expect(names).toEqual([
      'audit', 'experiment', 'freeze-record', 'lock', 'manifest', 'preregistration',
      'registry-entry', 'report', 'schedule', 'scorecard', 'task', 'trace-event',
    ]);
  });

  // ajv strict mode refuses a schema with unknown keywords, required keys it does not define,
  // and similar slips; schemaProblems compiles on first use, so a bad schema throws here.
  it.each(names)('%s compiles under ajv strict and reports problems for {}', (name) => {
    let problems: ReturnType<typeof schemaProblems> | undefined;
    expect(() => (problems = schemaProblems(name, {}))).not.toThrow();
    expect(problems?.length).toBeGreaterThan(0);
    for (const p of problems ?? []) expect(p.path).toMatch(/^\//);
  });

  it('names an unknown key by its own path and lists the allowed keys', () => {
    const [problem] = schemaProblems('lock', {
      schemaVersion: 1, runId: 'r', lockedAt: '2026-01-01T00:00:00Z', files: [], links: [],
      rootDigest: { sha256: 'a'.repeat(64) }, manifestDigest: { sha256: 'b'.repeat(64) },
      scorecardDigest: { sha256: 'c'.repeat(64), md5: 'x' },
    });
    expect(problem?.path).toBe('/scorecardDigest/md5');
    expect(problem?.message).toBe('unknown key "md5" (allowed: sha256)');
  });

  it('reports an unknown discriminator value at the tag, once', () => {
    const problems = schemaProblems('task', {
      schemaVersion: 1, id: 'T1', title: 't', instruction: 'i', workspace: 'w', tools: [],
      checks: [{ id: 'c', kind: 'file_smells_nice', path: 'a' }], simulator: { steps: [], final: 'f' },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('/checks/0/kind');
    expect(problems[0]?.message).toContain('file_smells_nice');
  });
});
