import type { Command } from 'commander';
import { formatProblem } from '../core/errors.js';
import { emit } from './output.js';
import type { SetExitCode } from './program.js';

export function registerValidateManifest(program: Command, setCode: SetExitCode): void {
  program
    .command('validate-manifest')
    .description('check manifests: schema, own digest, no secrets, every pinned digest against the files on disk')
    .argument('<manifest...>', 'manifest.json files, or run folders')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Exit status: 0 all valid, 1 a manifest failed a check, 2 a file is not a readable manifest.
Examples:
  harness validate-manifest runs/by-hand/exp-001-role-vs-goal/pair-0001-TASK-001-goal-centric-a1/manifest.json
  harness validate-manifest runs/exp-001-role-vs-goal/*/manifest.json --json`)
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { validateManifests } = await import('../commands/validate-manifest.js');
      const result = await validateManifests({ manifests: files });
      emit(result, opts.json, (r) => r.manifests.map((m) => m.ok
        ? `ok    ${m.file}\n`
        : `FAIL  ${m.file}\n${m.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}`).join(''));
      setCode(result.badInput ? 2 : result.ok ? 0 : 1);
    });
}
