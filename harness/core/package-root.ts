import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file sits two levels below the package root both as source (harness/core) and as
// build output (dist/core), so schemas/ and package.json are found the same way from either.
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The harness's own version, from its package.json. */
export function harnessVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
