import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { bug, type Problem } from '../core/errors.js';
import { packageRoot } from '../core/package-root.js';

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
    return fn(data) ? [] : dedupe((fn.errors ?? []).map(toProblem));
  };
}

/** Problems with `data` against schema `name`, each with a JSON path (no file yet). */
export function schemaProblems(name: SchemaName, data: unknown): Problem[] {
  const validate = validatorFor(name);
  if (validate(data)) return [];
  return dedupe((validate.errors ?? []).map(toProblem));
}

function toProblem(e: ErrorObject): Problem {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(p.additionalProperty ?? p.unevaluatedProperty);
      return { path: `${e.instancePath}/${key}`, message: `unknown key "${key}"${allowedKeys(e)}` };
    }
    case 'required':
      return { path: e.instancePath || '/', message: `missing required key "${String(p.missingProperty)}"` };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'discriminator':
      return { path: `${e.instancePath}/${String(p.tag)}`, message: discriminatorMessage(e) };
    default:
      return { path: e.instancePath || '/', message: e.message ?? e.keyword };
  }
}

function allowedKeys(e: ErrorObject): string {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? ` (allowed: ${Object.keys(props).join(', ')})` : '';
}

function discriminatorMessage(e: ErrorObject): string {
  const p = e.params as { error?: string; tag?: string; tagValue?: unknown };
  const options = ((e.parentSchema as { oneOf?: { $ref?: string }[] } | undefined)?.oneOf ?? []).length;
  if (p.error === 'tag' && p.tagValue === undefined) return `missing "${String(p.tag)}"`;
  return `unknown ${String(p.tag)} ${JSON.stringify(p.tagValue)}${options > 0 ? ' (see the schema for the allowed kinds)' : ''}`;
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
