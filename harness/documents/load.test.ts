import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError, type Problem } from '../core/errors.js';
import { loadJson, locateProblems, parseYaml, readText } from './load.js';
import { documentProblems } from './validate.js';

const loadYaml = (file: string) => parseYaml(file, readText(file));

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'harness-load-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
}

// A valid experiment.yaml except for the lines a test changes; line numbers matter below.
const EXPERIMENT = [
  'schemaVersion: 1', //                                         1
  'id: exp-a', //                                                2
  'title: T', //                                                 3
  'variants: [a, b]', //                                         4
  'tasks: [T1]', //                                              5
  'design:', //                                                  6
  '  pairsPerTask: 2', //                                        7
  '  seed: 7', //                                                8
  'model: {id: m, maxTokens: 10}', //                            9
  'provider: {name: sim}', //                                   10
  'limits: {maxTurns: 1, maxOutputTokens: 1, wallTimeSeconds: 1}', // 11
  'preregistration: p.yaml', //                                 12
];
const yamlWith = (edit: (lines: string[]) => void): string => {
  const lines = [...EXPERIMENT];
  edit(lines);
  return `${lines.join('\n')}\n`;
};
const at = (p: Problem): [string | undefined, number | undefined, number | undefined] => [p.path, p.line, p.column];

describe('YAML problem positions', () => {
  it('accepts the base document', () => {
    expect(documentProblems('experiment', parseYaml('e.yaml', yamlWith(() => {})))).toEqual([]);
  });

  it('reports an unknown nested key at the key itself', async () => {
    const file = await fileWith('unknown.yaml', yamlWith((l) => l.splice(8, 0, '  blocks: 3')));
    const problems = documentProblems('experiment', loadYaml(file));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe(file);
    expect(at(problems[0]!)).toEqual(['/design/blocks', 9, 3]);
  });

  it('reports an unknown key inside a flow map at that key', () => {
    const problems = documentProblems('experiment', parseYaml('e.yaml', yamlWith((l) => (l[9] = 'provider: {name: sim, region: eu}'))));
    expect(at(problems[0]!)).toEqual(['/provider/region', 10, 23]);
  });

  it('reports a wrong-typed nested value at its line', () => {
    const problems = documentProblems('experiment', parseYaml('e.yaml', yamlWith((l) => (l[6] = '  pairsPerTask: "two"'))));
    expect(problems.map((p) => [p.path, p.line])).toEqual([['/design/pairsPerTask', 7]]);
    const flow = documentProblems('experiment', parseYaml('e.yaml', yamlWith((l) => (l[10] = 'limits: {maxTurns: 0, maxOutputTokens: 1, wallTimeSeconds: 1}'))));
    expect(flow.map((p) => [p.path, p.line])).toEqual([['/limits/maxTurns', 11]]);
  });

  it('reports a wrong-typed value that starts below its key at the value, not the key', () => {
    const text = yamlWith((l) => l.splice(6, 1, '  pairsPerTask:', '    count: 2'));
    const problems = documentProblems('experiment', parseYaml('e.yaml', text));
    expect(problems.map((p) => [p.path, p.line])).toEqual([['/design/pairsPerTask', 8]]);
  });

  it('reports a bad array item at the item', () => {
    const problems = documentProblems('experiment', parseYaml('e.yaml', yamlWith((l) => (l[3] = 'variants: [a, B]'))));
    expect(at(problems[0]!)).toEqual(['/variants/1', 4, 15]);
  });

  it('reports YAML syntax errors with their line', () => {
    const err: unknown = (() => { try { return parseYaml('d.yaml', 'a: 1\nb: 2\na: 3\n'); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).kind).toBe('input');
    expect((err as HarnessError).problems.map((p) => [p.file, p.line])).toEqual([['d.yaml', 3]]);
  });
});

describe('JSON documents', () => {
  it('locates schema problems in a JSON file by line and column', async () => {
    const text = '{\n  "schemaVersion": 1,\n  "design": {\n    "pairsPerTask": "x",\n    "extra": 1\n  }\n}\n';
    const doc = loadJson(await fileWith('doc.json', text));
    const problems = documentProblems('experiment', doc).filter((p) => p.path?.startsWith('/design/'));
    expect(new Map(problems.map((p) => [p.path, [p.line, p.column]]))).toEqual(
      new Map([['/design/extra', [5, 5]], ['/design/pairsPerTask', [4, 21]]]),
    );
  });

  // [name, text, line, column]; a column of 0 means any column (where an invalid literal is
  // flagged, at its start or its end, is a matter of taste).
  const syntaxCases: [string, string, number, number][] = [
    ['trailing comma', '{\n  "a": 1,\n}\n', 3, 1],
    ['cut off', '{\n  "a": 1', 2, 9],
    ['double comma', '[1,\n2,,3]\n', 2, 3],
    ['bad literal', '{\n  "a": 1,\n  "b": tru\n}\n', 3, 0],
  ];
  it.each(syntaxCases)('reports a syntax error (%s) at file:line:column', async (_name, text, line, column) => {
    const file = await fileWith('bad.json', text);
    let err: unknown;
    try {
      loadJson(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).kind).toBe('input');
    const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect((err as HarnessError).message).toMatch(new RegExp(`^${escaped}:${line}:${column === 0 ? '\\d+' : column}: not valid JSON`));
  });

  it('refuses empty files and invalid UTF-8 with the line', async () => {
    const empty = await fileWith('empty.json', '');
    expect(() => loadJson(empty)).toThrow(/file is empty/);
    const bad = Buffer.concat([Buffer.from('{\n"a":\n"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const file = path.join(dir, 'bad-utf8.json');
    await fs.writeFile(file, bad);
    expect(() => loadJson(file)).toThrow(`${file}:3: not valid UTF-8`);
  });
});

describe('locateProblems', () => {
  const doc = parseYaml('d.yaml', 'top:\n  list:\n    - x: 1\n    - y: 2\n  "a/b~c": 3\n');

  it('fills line and column (of the value; of the key for an unknown key) for this file\'s problems that have only a path', () => {
    const problems: Problem[] = [
      { file: 'd.yaml', path: '/top/list/1/y', message: 'key' },
      { file: 'd.yaml', path: '/top/a~1b~0c', message: 'escaped key' },
      { file: 'd.yaml', path: '/top/list/0/missing', message: 'missing: at the parent' },
      { file: 'd.yaml', path: '/', message: 'root' },
      { file: 'd.yaml', path: '/top/list/1/y', message: 'unknown key "y"' },
    ];
    expect(locateProblems(doc, problems).map((p) => [p.line, p.column])).toEqual([[4, 10], [5, 12], [3, 7], [1, 1], [4, 7]]);
  });

  it('leaves other files\' problems, located problems and path-less problems alone', () => {
    const problems: Problem[] = [
      { file: 'other.yaml', path: '/top', message: 'other file' },
      { file: 'd.yaml', line: 99, path: '/top', message: 'already located' },
      { file: 'd.yaml', message: 'no path' },
    ];
    expect(locateProblems(doc, problems)).toEqual(problems);
  });
});
