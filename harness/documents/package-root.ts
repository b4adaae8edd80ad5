import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The files the harness reads from its own package: schemas/ and package.json. This file sits two
// levels below the package root as source (harness/documents), as build output (dist/documents)
// and bundled (dist/bin), so they are found the same way from each.
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The harness's own version, from its package.json. */
export function harnessVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
