import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isNode, type Document, type Node } from 'yaml';
import { inputError, type Problem } from '../core/errors.js';
import { pointerSegments } from '../core/json-pointer.js';

/** A parsed document that can say which line a JSON path came from. */
export interface LoadedDocument {
  file: string;
  data: unknown;
  /** Position of the value at a JSON path, or of its key (for an unknown key). */
  locate(jsonPath: string, at?: 'value' | 'key'): { line: number; column: number } | undefined;
}

// Aliases beyond this are an expansion attack ("billion laughs"), not a config anybody writes.
const MAX_ALIAS_COUNT = 100;

export function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(`${file}: file not found`, { hint: 'check the path, or create the file', cause: err });
    if (code === 'EISDIR') throw inputError(`${file}: is a directory, expected a file`, { hint: 'give the path of the file, not of a folder', cause: err });
    throw inputError(`${file}: cannot read (${code ?? String(err)})`, { hint: 'check that you may read it (its permissions, and those of its folders)', cause: err });
  }
  if (bytes.length === 0) throw inputError(`${file}: file is empty`, { hint: 'fill it in; see the examples under experiments/' });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    const offset = firstInvalidUtf8(bytes);
    throw inputError(`${file}:${lineAt(bytes, offset)}: not valid UTF-8 (byte offset ${offset})`, {
      hint: 're-save the file as UTF-8',
      cause: err,
    });
  }
}

/** Fills in file:line:column for problems that have only a JSON path into this document. */
export function locateProblems(doc: LoadedDocument, problems: Problem[]): Problem[] {
  return problems.map((p) => {
    if (p.file !== doc.file || p.line !== undefined || p.path === undefined) return p;
    const at = doc.locate(p.path, p.message.startsWith('unknown key') ? 'key' : 'value');
    return at ? { ...p, line: at.line, column: at.column } : p;
  });
}

/** Parses YAML (or JSON, which YAML 1.2 contains) keeping positions for error messages. */
export function parseYaml(file: string, text: string): LoadedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const problems: Problem[] = doc.errors.map((e) => ({
      file,
      line: e.linePos?.[0].line,
      column: e.linePos?.[0].col,
      message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
    }));
    throw inputError(`${file}: not valid YAML`, { problems, hint: 'fix the syntax at the line shown' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw inputError(`${file}: too many YAML aliases (more than ${MAX_ALIAS_COUNT} expansions)`, {
      hint: 'write the values out instead of expanding aliases; this looks like an alias bomb',
      cause: err,
    });
  }
  if (data === null || data === undefined) throw inputError(`${file}: document is empty`, { hint: 'fill it in' });
  return { file, data, locate: (jsonPath, at) => locateInYaml(doc, lineCounter, jsonPath, at ?? 'value') };
}

// JSON is parsed by JSON.parse (exact semantics); positions are only looked up when a
// problem is reported, by reading the same text as YAML.
export function loadJson(file: string, hint = 'fix the syntax, or restore the file from the run that wrote it'): LoadedDocument {
  const text = readText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const match = /position (\d+)/.exec((err as Error).message);
    const at = match ? positionOf(text, Number(match[1])) : jsonErrorPosition(text);
    throw inputError(`${file}${at ? `:${at.line}:${at.column}` : ''}: not valid JSON (${(err as Error).message})`, {
      hint,
      cause: err,
    });
  }
  let located: LoadedDocument | undefined;
  return {
    file,
    data,
    locate(jsonPath, at) {
      located ??= safeParse(file, text);
      return located?.locate(jsonPath, at);
    },
  };
}

// Node 20's JSON.parse does not always say where it failed. A prefix of valid JSON fails only
// with "end of input", so the shortest prefix failing otherwise ends at the error: binary search.
function jsonErrorPosition(text: string): { line: number; column: number } | undefined {
  const failsInside = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (err) {
      const message = (err as Error).message;
      const at = /position (\d+)/.exec(message);
      return !/end of JSON input/.test(message) && (at === null || Number(at[1]) < n);
    }
  };
  if (!failsInside(text.length)) return undefined;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return positionOf(text, Math.max(0, lo - 1));
}

function safeParse(file: string, text: string): LoadedDocument | undefined {
  try {
    return parseYaml(file, text);
  } catch {
    return undefined;
  }
}

// Problem paths name the root '/' as well as '' (ajv's instancePath).
const pathSegments = (jsonPath: string): string[] => (jsonPath === '/' ? [] : pointerSegments(jsonPath));

function locateInYaml(doc: Document, lineCounter: LineCounter, jsonPath: string, at: 'value' | 'key'): { line: number; column: number } | undefined {
  const segments = pathSegments(jsonPath);
  // Walk up until a node exists: a missing key is reported at its parent.
  for (let n = segments.length; n >= 0; n--) {
    const keys = segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const node = n === 0 ? doc.contents : doc.getIn(keys, true);
    if (isNode(node) && node.range) {
      // An unknown key is reported at the key itself; everything else at its value.
      const keyNode = at === 'key' && n === segments.length && n > 0 ? keyNodeOf(doc, keys) : undefined;
      const offset = (keyNode?.range ?? node.range)[0];
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    }
  }
  return undefined;
}

function keyNodeOf(doc: Document, keys: (string | number)[]): Node | undefined {
  const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = keys[keys.length - 1];
  const pair = parent.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === last);
  return isNode(pair?.key) ? pair.key : undefined;
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the shortest prefix that fails to decode.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      // stream: an incomplete trailing sequence is not an error, only an invalid byte is.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
