// The program behind the `harness` command (cli/harness.cts). It stays tiny: `--version` answers
// without loading commander or any command, and everything else loads only the modules of the
// command being run.
import { readFileSync } from 'node:fs';

// `harness … | head`: once the reader has gone, the command stops quietly with the status a Unix
// tool killed by SIGPIPE has (128 + 13), instead of crashing on an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(141);
  });
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
} else {
  // Stack traces (HARNESS_DEBUG=1) name the TypeScript sources, not the bundle's chunks.
  if (process.env.HARNESS_DEBUG) process.setSourceMapsEnabled(true);
  const [{ runCli }, { exitCodeFor, renderError }] = await Promise.all([import('./program.js'), import('./render-error.js')]);
  // An error thrown outside any command's promise (from a timer: a lost lock, store/lock-lost.ts)
  // is reported like any other, with its exit code, instead of as a bare stack trace.
  process.on('uncaughtException', (err) => {
    process.stderr.write(renderError(err));
    process.exit(exitCodeFor(err));
  });
  process.exitCode = await runCli(process.argv);
}
