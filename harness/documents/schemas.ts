import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { bug, type Problem } from '../core/errors.js';
import { packageRoot } from './package-root.js';

export type SchemaName =
  | 'experiment' | 'preregistration' | 'task' | 'freeze-record' | 'schedule'
  | 'manifest' | 'trace-event' | 'scorecard' | 'lock' | 'registry-entry' | 'report' | 'audit';

export const schemaDir = path.join(packageRoot, 'schemas');

const require = createRequire(import.meta.url);

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

// The build precompiles every schema (harness/build/gen-validators.mjs); loading those is far
// cheaper than compiling. Running from source (tests), schemas compile on first use instead.
const precompiledFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'validators.cjs');
let precompiled: Record<string, ValidateFunction> | null | undefined;

function loadPrecompiled(): Record<string, ValidateFunction> | null {
  if (precompiled === undefined) precompiled = existsSync(precompiledFile) ? (require(precompiledFile) as Record<string, ValidateFunction>) : null;
  return precompiled;
}

// verbose: errors carry their schema, so an unknown key can be reported with the allowed ones.
// ajv itself is loaded only here, synchronously, when a schema must be compiled at run time.
function runtimeAjv(): Ajv2020 {
  if (ajv === undefined) {
    const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    const addFormats = require('ajv-formats') as (instance: Ajv2020) => Ajv2020;
    ajv = addFormats(new Ajv({ allErrors: true, strict: true, discriminator: true, verbose: true }));
  }
  return ajv;
}

// Makes one of our schemas known to the runtime instance by its $id (for compiling, or for
// schemas that refer to it).
function registered(name: SchemaName): { $id: string } {
  const schema = JSON.parse(readFileSync(path.join(schemaDir, `${name}.schema.json`), 'utf8')) as { $id: string };
  if (runtimeAjv().getSchema(schema.$id) === undefined) runtimeAjv().addSchema(schema);
  return schema;
}

// Precompiled when built; otherwise compiled lazily, one schema at a time, so a command pays only
// for the documents it touches.
function validatorFor(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name) ?? loadPrecompiled()?.[name];
  if (fn === undefined) {
    const schema = registered(name);
    try {
      fn = runtimeAjv().getSchema(schema.$id)!;
    } catch (err) {
      runtimeAjv().removeSchema(schema.$id);
      throw bug(`schemas/${name}.schema.json does not compile`, err);
    }
    compiled.set(name, fn);
  }
  return fn;
}

/**
 * A validator for a schema of the caller's that refers to ours by `$id` (e.g. the simulator's
 * session body, built from the task and experiment schemas), compiled on first use.
 */
export function derivedValidator(schema: object, uses: SchemaName[]): (data: unknown) => Problem[] {
  let fn: ValidateFunction | undefined;
  return (data) => {
    if (fn === undefined) {
      for (const name of uses) registered(name);
      fn = runtimeAjv().compile(schema);
    }
    return fn(data) ? [] : dedupe((fn.errors ?? []).map((e) => toProblem(e, schema as SchemaNode)));
  };
}

/** Problems with `data` against schema `name`, each with a JSON path (no file yet). */
export function schemaProblems(name: SchemaName, data: unknown): Problem[] {
  const validate = validatorFor(name);
  if (validate(data)) return [];
  const root = JSON.parse(readFileSync(path.join(schemaDir, `${name}.schema.json`), 'utf8')) as SchemaNode;
  return dedupe((validate.errors ?? []).map((e) => toProblem(e, root)));
}

interface SchemaNode {
  properties?: Record<string, unknown>;
  allOf?: SchemaNode[];
  $ref?: string;
  $defs?: Record<string, SchemaNode>;
}

function toProblem(e: ErrorObject, root: SchemaNode): Problem {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(p.additionalProperty ?? p.unevaluatedProperty);
      return { path: `${e.instancePath}/${key}`, message: `unknown key "${key}"${allowedKeys(e, root)}` };
    }
    case 'required':
      return { path: e.instancePath || '/', message: `missing required key "${String(p.missingProperty)}"` };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'format':
      if (p.format === 'regex') return { path: e.instancePath, message: `is not a valid regular expression (${regexError(e.data)})` };
      return { path: e.instancePath || '/', message: e.message ?? e.keyword };
    case 'discriminator':
      return { path: `${e.instancePath}/${String(p.tag)}`, message: discriminatorMessage(e, root) };
    default:
      return { path: e.instancePath || '/', message: e.message ?? e.keyword };
  }
}

// A node, or the local definition (#/$defs/…) in `root` it refers to.
function deref(node: SchemaNode, root: SchemaNode): SchemaNode | undefined {
  return node.$ref?.startsWith('#/$defs/') ? root.$defs?.[node.$ref.slice('#/$defs/'.length)] : node;
}

// The keys the object may have: its schema's own properties and, for unevaluatedProperties, those
// of the schemas it takes in by allOf (a check's id, description, required and constraint come
// from checkBase that way), following local $refs in `root`.
function allowedKeys(e: ErrorObject, root: SchemaNode): string {
  const keys = new Set<string>();
  const collect = (node: SchemaNode | undefined): void => {
    if (node === undefined) return;
    for (const key of Object.keys(node.properties ?? {})) keys.add(key);
    for (const part of node.allOf ?? []) collect(deref(part, root));
  };
  collect(e.parentSchema as SchemaNode | undefined);
  return keys.size > 0 ? ` (allowed: ${[...keys].join(', ')})` : '';
}

// Why ajv-formats' "regex" refused a pattern: JavaScript does not compile it, or it uses \Z,
// which JavaScript does not know as an anchor.
function regexError(source: unknown): string {
  try {
    new RegExp(String(source));
    return 'JavaScript has no \\Z anchor: use $';
  } catch (err) {
    return (err as Error).message;
  }
}

// The tag values the oneOf allows, read from each option's `const` (following local $refs).
function discriminatorMessage(e: ErrorObject, root: SchemaNode): string {
  const p = e.params as { error?: string; tag?: string; tagValue?: unknown };
  const tag = String(p.tag);
  if (p.error === 'tag' && p.tagValue === undefined) return `missing "${tag}"`;
  const options = ((e.parentSchema as { oneOf?: SchemaNode[] } | undefined)?.oneOf ?? [])
    .map((o) => deref(o, root))
    .flatMap((o) => { const value = (o?.properties?.[tag] as { const?: unknown } | undefined)?.const; return value === undefined ? [] : [String(value)]; });
  return `unknown ${tag} ${JSON.stringify(p.tagValue)}${options.length > 0 ? ` (allowed: ${options.join(', ')})` : ''}`;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
