import { InvalidArgumentError, Option } from 'commander';
import { statSync } from 'node:fs';

// Options several subcommands share, declared once so their names, defaults and choices agree.

// Unset, each command takes runs/ beside the project's experiments/ (experiment/locate.ts), so a
// command run from a subfolder finds the same run sets.
export const runsDirOption = () => new Option('--runs-dir <dir>', 'folder that holds run sets (default: runs/ beside the experiments/ folder)').argParser(runsDir);

// A folder that may not exist yet (freeze creates it), but not an empty name or a file.
function runsDir(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('expected a folder name');
  if (statSync(text, { throwIfNoEntry: false })?.isDirectory() === false) throw new InvalidArgumentError(`${text} is a file, not a folder`);
  return text;
}

export const providerOption = (description: string) => new Option('--provider <name>', description).choices(['sim', 'anthropic', 'command']);

export const sandboxOption = () => new Option('--sandbox <mode>', 'sandbox for programs the runs start (auto: bwrap when usable)').choices(['auto', 'bwrap', 'none']).default('auto');
