import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../core/types/index.js';
import { packageRoot } from '../documents/package-root.js';
import { sharedPinDifferences } from './verify-pairing.js';

// A valid manifest (goal-centric) and its pair partner (role-centric): the same run but for its variant.
const first = JSON.parse(readFileSync(path.join(packageRoot, 'schemas/examples/manifest/valid-pair-0001-task-001.json'), 'utf8')) as Manifest;
const partner = (edit: (m: Manifest) => void = () => undefined): Manifest => {
  const m = structuredClone(first);
  m.runId = 'pair-0001-TASK-001-role-centric-a1';
  m.variant = { ...m.variant, id: 'role-centric', promptDigest: { sha256: 'a'.repeat(64) } };
  edit(m);
  return m;
};
const other = { sha256: 'b'.repeat(64) };

// Each pin two runs of a pair must share, with an edit that changes it on the partner.
const PINS: [string, (m: Manifest) => void][] = [
  ['experiment.configDigest', (m) => { m.experiment.configDigest = other; }],
  ['experiment.preregistrationDigest', (m) => { m.experiment.preregistrationDigest = other; }],
  ['experiment.scheduleDigest', (m) => { m.experiment.scheduleDigest = other; }],
  ['experiment.freezeDigest', (m) => { m.experiment.freezeDigest = other; }],
  ['task.id', (m) => { m.task.id = 'TASK-002'; }],
  ['task.specDigest', (m) => { m.task.specDigest = other; }],
  ['task.workspaceDigest', (m) => { m.task.workspaceDigest = other; }],
  ['variant.toolsDigest', (m) => { m.variant.toolsDigest = other; }],
  ['seed', (m) => { m.seed += 1; }],
  ['slot.pairId', (m) => { m.slot.pairId = 'pair-0002'; }],
  ['provider.name', (m) => { m.provider.name = 'anthropic'; }],
  ['provider.model', (m) => { m.provider.model = 'another-model'; }],
  ['provider.requestParams', (m) => { m.provider.requestParams = { ...m.provider.requestParams, max_tokens: 8192 }; }],
  ['provider.sdkVersion', (m) => { m.provider.sdkVersion = '9.9.9'; }],
  ['provider.apiVersion', (m) => { m.provider.apiVersion = '2030-01-01'; }],
  ['provider.baseUrl', (m) => { m.provider.baseUrl = 'http://127.0.0.1:9/'; }],
  ['sandbox.mode', (m) => { m.sandbox.mode = 'none'; }],
  ['limits', (m) => { m.limits = { ...m.limits, maxTurns: m.limits.maxTurns + 1 }; }],
  ['environment.harnessVersion', (m) => { m.environment.harnessVersion = '9.9.9'; }],
  ['environment.gitCommit', (m) => { m.environment.gitCommit = 'c'.repeat(40); }],
  ['environment.lockfileDigest', (m) => { m.environment.lockfileDigest = other; }],
  ['environment.nodeVersion', (m) => { m.environment.nodeVersion = 'v22.0.0'; }],
  ['evaluator.version', (m) => { m.evaluator.version = '9.9.9'; }],
  ['evaluator.priceTableDigest', (m) => { m.evaluator.priceTableDigest = other; }],
];

describe('sharedPinDifferences', () => {
  it('finds none between two runs of a pair that differ in their variant and their own fields alone', () => {
    const own = partner((m) => {
      m.createdAt = '2026-11-23T15:43:00.000Z';
      m.slot = { ...m.slot, index: 1, position: 2, attempt: 2 };
      m.environment = { ...m.environment, gitDirty: !m.environment.gitDirty, platform: 'darwin-arm64' };
      m.sandbox = { ...m.sandbox, version: '0.9.0' };
      m.digest = other;
    });
    expect(sharedPinDifferences(first, own)).toEqual([]);
  });

  it.each(PINS)('names %s when only it differs', (pin, edit) => {
    const differences = sharedPinDifferences(first, partner(edit));
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatch(new RegExp(`^pin ${pin.replace(/\./g, '\\.')} differs: goal-centric has .+, role-centric has .+$`));
  });
});
