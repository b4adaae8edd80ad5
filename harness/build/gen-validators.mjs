// Precompiles every schema in schemas/ into one CommonJS module of standalone ajv validators
// (dist/documents/validators.cjs), so a CLI call validates without compiling schemas at start-up
// (compiling them took ~0.6 s of every command). Run by `make build` after tsc; the runtime
// falls back to compiling when the file is absent (tests running from source).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schemaDir = path.join(root, 'schemas');
const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true, verbose: true, code: { source: true } });
(addFormats.default ?? addFormats)(ajv);
const exports = {};
for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json')).sort()) {
  const schema = JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8'));
  ajv.addSchema(schema);
  exports[file.replace('.schema.json', '')] = schema.$id;
}
const code = standaloneCode.default ? standaloneCode.default(ajv, exports) : standaloneCode(ajv, exports);
const out = path.join(root, 'dist/documents/validators.cjs');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, code);
