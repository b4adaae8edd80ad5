// Generates harness/core/types/<name>.generated.ts from schemas/<name>.schema.json: the schemas
// are the contract, the TypeScript types follow them. `--check` fails (exit 1) when a committed
// file has drifted from its schema, which `make check` runs.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schemaDir = path.join(root, 'schemas');
const outDir = path.join(root, 'harness/core/types');

const banner = '// Generated from schemas/*.schema.json by harness/build/gen-types.mjs. Do not edit: change the schema and run `make types`.\n/* eslint-disable */\n';
const drifted = [];
for (const name of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).sort()) {
  const schema = JSON.parse(readFileSync(path.join(schemaDir, name), 'utf8'));
  const ts = await compile(schema, schema.title, {
    bannerComment: '',
    additionalProperties: false,
    unknownAny: true,
    strictIndexSignatures: true,
    format: true,
    declareExternallyReferenced: true,
    cwd: schemaDir,
  });
  const outFile = path.join(outDir, name.replace('.schema.json', '.generated.ts'));
  const out = `${banner}// Source: schemas/${name}\n\n${ts}`;
  if (!process.argv.includes('--check')) writeFileSync(outFile, out);
  else if (!existsSync(outFile) || readFileSync(outFile, 'utf8') !== out) drifted.push(path.relative(root, outFile));
}
if (drifted.length > 0) {
  console.error(`out of date with schemas/: ${drifted.join(', ')}\nrun \`make types\` and commit the result`);
  process.exit(1);
}
