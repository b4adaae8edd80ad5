import { Command, CommanderError } from 'commander';
import { harnessVersion } from '../documents/package-root.js';
import { errorJson, exitCodeFor, renderError } from './render-error.js';
import { registerAnalyze } from './analyze.js';
import { registerAudit } from './audit.js';
import { registerEvaluate } from './evaluate.js';
import { registerExclude } from './exclude.js';
import { registerFreeze } from './freeze.js';
import { registerLockRun } from './lock-run.js';
import { registerPinAndRun } from './pin-and-run.js';
import { registerPower } from './power.js';
import { registerRerun } from './rerun.js';
import { registerRun } from './run.js';
import { registerSimServer } from './sim-server.js';
import { registerStatus } from './status.js';
import { registerValidateManifest } from './validate-manifest.js';
import { registerVerify } from './verify.js';
import { registerVerifyPairing } from './verify-pairing.js';

export type SetExitCode = (code: number) => void;

// Each register function declares one subcommand; its action imports the command lazily.
const registrations = [
  registerFreeze, registerPinAndRun, registerValidateManifest, registerEvaluate, registerLockRun,
  registerVerify, registerVerifyPairing, registerRun, registerRerun, registerStatus, registerAnalyze, registerAudit, registerExclude, registerPower, registerSimServer,
];

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('harness')
    .description('Reproducible, auditable paired experiments on LLM agents.')
    .version(harnessVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    // Settings from the environment are checked before a command writes anything (loaded only
    // when a command runs, as the commands are).
    .hook('preAction', async () => {
      const { checkSettings } = await import('../commands/settings.js');
      checkSettings();
    });
  let code = 0;
  for (const register of registrations) register(program, (c: number) => (code = c));
  program.addHelpText('after', '\nExit codes: 0 ok, 1 a check failed, 2 bad input or usage, 3 internal error.\nSee README.md for a walk-through.');
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    const json = argv.slice(2).includes('--json');
    if (err instanceof CommanderError) {
      // Help and --version end here too (exit 0); a usage error was written to stderr by commander.
      if (err.exitCode === 0) return 0;
      if (json) process.stdout.write(errorJson(err, 2));
      return 2;
    }
    process.stderr.write(renderError(err));
    if (json) process.stdout.write(errorJson(err, exitCodeFor(err)));
    return exitCodeFor(err);
  }
}

