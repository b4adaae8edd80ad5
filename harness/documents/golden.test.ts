import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfDigestMatches, type Digest } from '../core/digest.js';
import { packageRoot } from './package-root.js';
import type { RegistryEntry } from '../core/types/index.js';
import { entryDigest } from '../store/registry.js';
import { parseYaml } from './load.js';
import { schemaDir, schemaProblems, type SchemaName } from './schemas.js';

// Golden examples of every document format: schemas/examples/<schema>/(valid|invalid)-*.(json|yaml).
// Changing a format means changing these files (STYLE.md habit 5).
const EXAMPLES = path.join(packageRoot, 'schemas', 'examples');

// Where each invalid example's one defect is: the path of the first problem reported.
const DEFECT_AT: Record<string, string> = {
  'audit/invalid-passed-not-boolean.json': '/passed',
  'audit/invalid-unknown-status.json': '/checks/0/status',
  'report/invalid-missing-registry-head.json': '/inputs',
  'report/invalid-negative-count.json': '/primary/b',
  'report/invalid-unknown-metric.json': '/secondary/0/metric',
  'experiment/invalid-missing-limits.yaml': '/',
  'experiment/invalid-unknown-key.yaml': '/design/blocks',
  'experiment/invalid-unknown-provider.yaml': '/provider/name',
  'experiment/invalid-wrong-type-pairs.yaml': '/design/pairsPerTask',
  'freeze-record/invalid-bad-sha.json': '/inputs/config/digest/sha256',
  'freeze-record/invalid-missing-digest.json': '/',
  'freeze-record/invalid-unknown-key.json': '/frozenBy',
  'freeze-record/invalid-unknown-provider.json': '/provider',
  'lock/invalid-bad-sha.json': '/files/0/sha256',
  'lock/invalid-missing-root-digest.json': '/',
  'lock/invalid-negative-size.json': '/files/1/size',
  'lock/invalid-unknown-special-type.json': '/special/0/type',
  'manifest/invalid-bad-created-at.json': '/createdAt',
  'manifest/invalid-bad-sha.json': '/task/workspaceDigest/sha256',
  'manifest/invalid-missing-digest.json': '/',
  'manifest/invalid-unknown-sandbox-mode.json': '/sandbox/mode',
  'preregistration/invalid-alpha-too-large.yaml': '/primaryOutcome/alpha',
  'preregistration/invalid-bad-date.yaml': '/registeredAt',
  'preregistration/invalid-bad-hypothesis-id.yaml': '/hypotheses/0/id',
  'preregistration/invalid-wrong-scope.yaml': '/exclusionRules/0/scope',
  'registry-entry/invalid-attempt-zero.json': '/data/attempt',
  'registry-entry/invalid-data-unknown-key.json': '/data/slot',
  'registry-entry/invalid-prev-not-digest.json': '/prev',
  'registry-entry/invalid-unknown-type.json': '/type',
  'schedule/invalid-bad-pair-id.json': '/slots/0/pairId',
  'schedule/invalid-missing-generator.json': '/',
  'schedule/invalid-seed-too-large.json': '/slots/1/seed',
  'scorecard/invalid-adherence-over-100.json': '/metrics/constraintAdherence',
  'scorecard/invalid-check-missing-reason.json': '/checks/1',
  'scorecard/invalid-unknown-key.json': '/score',
  'task/invalid-check-unknown-key.yaml': '/checks/0/tolerance',
  'task/invalid-path-escape.yaml': '/checks/0/path',
  'task/invalid-unknown-check-kind.yaml': '/checks/3/kind',
  'task/invalid-unknown-tool.yaml': '/tools/2',
  'trace-event/invalid-negative-turn.json': '/turn',
  'trace-event/invalid-unknown-key.json': '/extra',
  'trace-event/invalid-unknown-type.json': '/type',
  'trace-event/invalid-usage-missing-cache-read.json': '/usage',
};

const schemaNames = readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).map((f) => f.slice(0, -'.schema.json'.length)).sort();
const examples = schemaNames.flatMap((schema) =>
  readdirSync(path.join(EXAMPLES, schema)).sort().map((name) => ({ schema: schema as SchemaName, name, rel: `${schema}/${name}`, valid: name.startsWith('valid-') })),
);
const valid = examples.filter((e) => e.valid).map((e) => e.rel);
const invalid = examples.filter((e) => !e.valid).map((e) => e.rel);

// YAML through the loader the tool uses; JSON as the tool reads it (JSON.parse).
function load(rel: string): unknown {
  const file = path.join(EXAMPLES, rel);
  const text = readFileSync(file, 'utf8');
  return rel.endsWith('.yaml') ? parseYaml(file, text).data : JSON.parse(text);
}
const schemaOf = (rel: string): SchemaName => rel.split('/')[0] as SchemaName;

describe('golden examples', () => {
  it('cover every schema with one or more valid and two or more invalid examples, named by kind', () => {
    expect(readdirSync(EXAMPLES).sort()).toEqual(schemaNames);
    for (const e of examples) expect(e.name).toMatch(/^(valid|invalid)-[a-z0-9-]+\.(json|yaml)$/);
    for (const schema of schemaNames) {
      expect([schema, valid.filter((r) => schemaOf(r) === schema).length >= 1]).toEqual([schema, true]);
      expect([schema, invalid.filter((r) => schemaOf(r) === schema).length >= 2]).toEqual([schema, true]);
    }
    expect([...invalid].sort()).toEqual(Object.keys(DEFECT_AT).sort());
  });

  it.each(valid)('%s has no problems', (rel) => {
    expect(schemaProblems(schemaOf(rel), load(rel))).toEqual([]);
  });

  it.each(invalid)('%s is refused at its defect', (rel) => {
    const problems = schemaProblems(schemaOf(rel), load(rel));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.path).toBe(DEFECT_AT[rel]);
  });

  // The examples written by the real CLI carry digests that still verify.
  it('real examples carry their own valid digests and a linked registry chain', () => {
    for (const rel of ['manifest/valid-pair-0001-task-001.json', 'freeze-record/valid-exp-001.json']) {
      expect([rel, selfDigestMatches(load(rel) as { digest: Digest })]).toEqual([rel, true]);
    }
    const frozen = load('registry-entry/valid-frozen.json') as RegistryEntry;
    const pinned = load('registry-entry/valid-pinned.json') as RegistryEntry;
    expect(entryDigest(frozen)).toEqual(frozen.digest);
    expect(entryDigest(pinned)).toEqual(pinned.digest);
    expect(pinned.prev).toEqual(frozen.digest);
  });
});

// An independent validator (python-jsonschema) must agree with ajv on every verdict, so the
// schemas mean what they say and not what one implementation happens to accept.
const PYTHON = String.raw`
import json, sys
from jsonschema import Draft202012Validator as V
cases = json.load(sys.stdin)
fc = V.FORMAT_CHECKER
out = {"formats": sorted(fc.checkers), "verdicts": {}, "schemaErrors": {}}
for c in cases:
    try:
        V.check_schema(c["schema"])
    except Exception as e:
        out["schemaErrors"][c["rel"]] = str(e)[:200]
    out["verdicts"][c["rel"]] = V(c["schema"], format_checker=fc).is_valid(c["instance"])
json.dump(out, sys.stdout)
`;
const hasJsonschema = spawnSync('python3', ['-c', 'import jsonschema'], { stdio: 'ignore' }).status === 0;

describe('golden examples under python-jsonschema', () => {
  it.skipIf(!hasJsonschema && process.env.CI === undefined)('give the same valid/invalid verdicts', () => {
    const schemas = new Map(schemaNames.map((s) => [s, JSON.parse(readFileSync(path.join(schemaDir, `${s}.schema.json`), 'utf8')) as unknown]));
    const cases = examples.map((e) => ({ rel: e.rel, schema: schemas.get(e.schema), instance: load(e.rel) }));
    const run = spawnSync('python3', ['-c', PYTHON], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { formats: string[]; verdicts: Record<string, boolean>; schemaErrors: Record<string, string> };
    // Without these checkers python would pass the bad-date examples for the wrong reason.
    expect(out.formats).toEqual(expect.arrayContaining(['date', 'date-time']));
    expect(out.schemaErrors).toEqual({});
    expect(out.verdicts).toEqual(Object.fromEntries(examples.map((e) => [e.rel, e.valid])));
  });
});
