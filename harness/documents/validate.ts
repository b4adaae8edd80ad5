import { existsSync } from 'node:fs';
import { inputError, type Problem } from '../core/errors.js';
import { loadJson, locateProblems, type LoadedDocument } from './load.js';
import { schemaProblems, type SchemaName } from './schemas.js';

/** Schema problems of a loaded document, located at file:line where the source allows. */
export function documentProblems(name: SchemaName, doc: LoadedDocument): Problem[] {
  return locateProblems(doc, schemaProblems(name, doc.data).map((p) => ({ file: doc.file, ...p })));
}

/** Returns the document's data typed as T, or throws an input error listing every problem. */
function requireValid<T>(name: SchemaName, doc: LoadedDocument, hint?: string): T {
  const problems = documentProblems(name, doc);
  if (problems.length > 0) {
    throw inputError(`${doc.file}: does not match the ${name} schema (schemas/${name}.schema.json)`, {
      problems,
      hint: hint ?? `fix the ${problems.length === 1 ? 'value' : 'values'} shown`,
    });
  }
  return doc.data as T;
}

/** `hint`: what to do when the file is not valid JSON or does not match its schema. */
export function loadValidJson<T>(name: SchemaName, file: string, hint?: string): T {
  return requireValid<T>(name, loadJson(file, hint), hint);
}

/** As loadValidJson, but undefined when the file does not exist. */
export function loadValidJsonIfPresent<T>(name: SchemaName, file: string, hint?: string): T | undefined {
  return existsSync(file) ? loadValidJson<T>(name, file, hint) : undefined;
}

/** The document when it exists, parses and matches its schema; otherwise undefined (for files the caller can write anew). */
export function loadJsonIfValid<T>(name: SchemaName, file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const doc = loadJson(file);
    return documentProblems(name, doc).length === 0 ? (doc.data as T) : undefined;
  } catch {
    return undefined;
  }
}
