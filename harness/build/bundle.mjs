// Bundles the built CLI (dist/cli/main.js and everything it imports, dependencies included) into
// dist/bin/: main.js plus one chunk per lazily loaded command, so a command loads a few files
// instead of hundreds of modules (the Anthropic SDK alone is ~300). Start-up falls from ~0.6 s to
// ~0.25 s of module loading for `harness run`. Run by `make build` after tsc and gen-validators.
// The bundle sits two folders below the package root, like dist/cli/main.js, so the package root,
// package.json and schemas/ are found the same way; the precompiled validators are copied beside it,
// and so is the `harness` command (cli/harness.cts, a launcher that imports ./main.js).
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(root, 'dist', 'cli', 'main.js') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies bundled into ESM still call require() for Node's own modules.
  banner: { js: "import { createRequire as __harnessRequire } from 'node:module'; const require = __harnessRequire(import.meta.url);" },
});
copyFileSync(path.join(root, 'dist', 'documents', 'validators.cjs'), path.join(outdir, 'validators.cjs'));
copyFileSync(path.join(root, 'dist', 'cli', 'harness.cjs'), path.join(outdir, 'harness.cjs'));
